/*
 * The schema, as an ordered table of migrations keyed by
 * PRAGMA user_version.
 *
 * To change the schema, APPEND a row to `migrations` (never edit a step
 * that has shipped): the next version number, a one-line summary and the
 * SQL. store_open() runs every step above the database's version, each in
 * its own BEGIN IMMEDIATE transaction that also sets user_version, so a
 * crash mid-upgrade leaves the database at the last completed step. A
 * database whose version is above the newest step was written by a newer
 * build and is refused, never "downgraded". docs/STORE.md describes the
 * tables.
 */
#include "store/internal.h"
#include "common/log.h"

#include <stdio.h>

/* Version 1: taxonomy, organisations, reporters, signals. */
static const char SCHEMA_V1[] =
    "CREATE TABLE taxonomy ("
    "  id INTEGER PRIMARY KEY,"
    "  dim TEXT NOT NULL CHECK (dim IN ('theme','problem_type',"
    "    'age_band','target_group','sector')),"
    "  code TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 31),"
    "  parent_id INTEGER REFERENCES taxonomy(id),"
    "  label_nl TEXT NOT NULL,"
    "  label_en TEXT NOT NULL,"
    "  UNIQUE (dim, code)"
    ");"
    "CREATE TABLE organisation ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE"
    ");"
    "CREATE TABLE reporter ("
    "  id INTEGER PRIMARY KEY,"
    "  organisation_id INTEGER NOT NULL REFERENCES organisation(id),"
    "  local_id TEXT NOT NULL,"
    "  UNIQUE (organisation_id, local_id)"
    ");"
    "CREATE TABLE signal ("
    "  id INTEGER PRIMARY KEY,"
    "  uid BLOB NOT NULL UNIQUE CHECK (length(uid) = 16),"
    "  registered_at TEXT NOT NULL,"
    "  observed_on TEXT,"
    "  age_id INTEGER NOT NULL REFERENCES taxonomy(id),"
    "  problem_id INTEGER REFERENCES taxonomy(id),"
    "  sector_id INTEGER NOT NULL REFERENCES taxonomy(id),"
    "  organisation_id INTEGER NOT NULL REFERENCES organisation(id),"
    "  reporter_id INTEGER REFERENCES reporter(id),"
    "  persons INTEGER NOT NULL CHECK (persons >= 1),"
    "  severity INTEGER CHECK (severity BETWEEN 1 AND 4),"
    "  neighbourhood TEXT,"
    "  description TEXT,"
    "  status INTEGER NOT NULL DEFAULT 0 CHECK (status BETWEEN 0 AND 2),"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX signal_registered ON signal(registered_at);"
    "CREATE TABLE signal_theme ("
    "  signal_id INTEGER NOT NULL REFERENCES signal(id) ON DELETE CASCADE,"
    "  theme_id INTEGER NOT NULL REFERENCES taxonomy(id),"
    "  PRIMARY KEY (signal_id, theme_id)"
    ") WITHOUT ROWID;"
    "CREATE TABLE signal_target ("
    "  signal_id INTEGER NOT NULL REFERENCES signal(id) ON DELETE CASCADE,"
    "  target_id INTEGER NOT NULL REFERENCES taxonomy(id),"
    "  PRIMARY KEY (signal_id, target_id)"
    ") WITHOUT ROWID;";

/* Version 2: dossiers, the follow-up of structural signals. The history
 * is append-only, enforced by triggers. */
static const char SCHEMA_V2[] =
    "CREATE TABLE dossier ("
    "  id INTEGER PRIMARY KEY,"
    "  title TEXT NOT NULL,"
    "  problem_id INTEGER REFERENCES taxonomy(id),"
    "  owner TEXT NOT NULL,"
    "  phase INTEGER NOT NULL CHECK (phase BETWEEN 0 AND 7),"
    "  criteria INTEGER NOT NULL DEFAULT 0 CHECK (criteria BETWEEN 0 AND 15),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE dossier_theme ("
    "  dossier_id INTEGER NOT NULL REFERENCES dossier(id),"
    "  theme_id INTEGER NOT NULL REFERENCES taxonomy(id),"
    "  PRIMARY KEY (dossier_id, theme_id)"
    ") WITHOUT ROWID;"
    "CREATE TABLE dossier_signal ("
    "  dossier_id INTEGER NOT NULL REFERENCES dossier(id),"
    "  signal_id INTEGER NOT NULL REFERENCES signal(id) ON DELETE CASCADE,"
    "  linked_at INTEGER NOT NULL,"
    "  PRIMARY KEY (dossier_id, signal_id)"
    ") WITHOUT ROWID;"
    "CREATE INDEX dossier_signal_signal ON dossier_signal(signal_id);"
    "CREATE TABLE dossier_history ("
    "  id INTEGER PRIMARY KEY,"
    "  dossier_id INTEGER NOT NULL REFERENCES dossier(id),"
    "  at INTEGER NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('nieuw','fase','criteria',"
    "    'koppeling','actie','feedback')),"
    "  from_phase INTEGER,"
    "  to_phase INTEGER,"
    "  criteria INTEGER,"
    "  actor TEXT,"
    "  note TEXT"
    ");"
    "CREATE INDEX dossier_history_dossier ON dossier_history(dossier_id);"
    "CREATE TRIGGER dossier_history_no_update BEFORE UPDATE ON "
    "dossier_history BEGIN SELECT RAISE(ABORT, 'dossier history is "
    "append-only'); END;"
    "CREATE TRIGGER dossier_history_no_delete BEFORE DELETE ON "
    "dossier_history BEGIN SELECT RAISE(ABORT, 'dossier history is "
    "append-only'); END;"
    "CREATE TABLE dossier_action ("
    "  id INTEGER PRIMARY KEY,"
    "  dossier_id INTEGER NOT NULL REFERENCES dossier(id),"
    "  what TEXT NOT NULL,"
    "  who TEXT NOT NULL,"
    "  due TEXT,"
    "  result TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX dossier_action_dossier ON dossier_action(dossier_id);"
    "CREATE TABLE dossier_feedback ("
    "  id INTEGER PRIMARY KEY,"
    "  dossier_id INTEGER NOT NULL REFERENCES dossier(id),"
    "  organisation_id INTEGER NOT NULL REFERENCES organisation(id),"
    "  at INTEGER NOT NULL,"
    "  text TEXT NOT NULL"
    ");"
    "CREATE INDEX dossier_feedback_dossier ON dossier_feedback(dossier_id);";

/* Version 3: federation documents per origin (feeds) and forks. */
static const char SCHEMA_V3[] =
    "CREATE TABLE feed_doc ("
    "  id INTEGER PRIMARY KEY,"
    "  origin TEXT NOT NULL CHECK (length(origin) BETWEEN 1 AND 47),"
    "  seq INTEGER NOT NULL CHECK (seq >= 1),"
    "  type INTEGER NOT NULL CHECK (type BETWEEN 1 AND 255),"
    "  hash BLOB NOT NULL CHECK (length(hash) = 32),"
    "  prev BLOB NOT NULL CHECK (length(prev) = 32),"
    "  created INTEGER NOT NULL,"
    "  received_at INTEGER NOT NULL,"
    "  size INTEGER NOT NULL CHECK (size = length(envelope)),"
    "  envelope BLOB NOT NULL,"
    "  UNIQUE (origin, seq)"
    ");"
    "CREATE INDEX feed_doc_type ON feed_doc(type, origin, seq);"
    "CREATE TABLE feed_head ("
    "  origin TEXT PRIMARY KEY,"
    "  seq INTEGER NOT NULL CHECK (seq >= 1),"
    "  hash BLOB NOT NULL CHECK (length(hash) = 32)"
    ");"
    "CREATE TABLE feed_fork ("
    "  origin TEXT NOT NULL,"
    "  seq INTEGER NOT NULL CHECK (seq >= 1),"
    "  detected_at INTEGER NOT NULL,"
    "  resolved_at INTEGER,"
    "  proof BLOB NOT NULL,"
    "  PRIMARY KEY (origin, seq)"
    ");";

/* Version 4: API access tokens. Only the hash of a token's secret is
 * kept (core/token.h); rows are never deleted, only revoked. */
static const char SCHEMA_V4[] =
    "CREATE TABLE api_token ("
    "  id INTEGER PRIMARY KEY,"
    "  token_id BLOB NOT NULL UNIQUE CHECK (length(token_id) = 8),"
    "  hash BLOB NOT NULL CHECK (length(hash) = 32),"
    "  role INTEGER NOT NULL CHECK (role BETWEEN 1 AND 3),"
    "  organisation TEXT,"
    "  person TEXT,"
    "  label TEXT,"
    "  created_by TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER,"
    "  revoked_at INTEGER,"
    "  CHECK (role <> 1 OR organisation IS NOT NULL),"
    "  CHECK (person IS NULL OR organisation IS NOT NULL)"
    ");";
/* Version 5: releases of this node's summaries. The privacy-budget
 * ledger (one row per release, what it spent) and the hash-chained audit
 * log (store/audit.c has the chain rule). Both are append-only, enforced
 * by triggers; at most one first release per period. */
static const char SCHEMA_V5[] =
    "CREATE TABLE release_ledger ("
    "  id INTEGER PRIMARY KEY,"
    "  origin TEXT NOT NULL CHECK (length(origin) BETWEEN 1 AND 47),"
    "  seq INTEGER NOT NULL CHECK (seq >= 1),"
    "  period_start INTEGER NOT NULL CHECK (period_start >= 0),"
    "  months INTEGER NOT NULL CHECK (months BETWEEN 1 AND 12),"
    "  budget_year INTEGER NOT NULL CHECK (budget_year BETWEEN 2000 AND "
    "2999),"
    "  supersedes INTEGER NOT NULL CHECK (supersedes >= 0),"
    "  mode INTEGER NOT NULL CHECK (mode IN (0, 1)),"
    "  epsilon_milli INTEGER NOT NULL CHECK (epsilon_milli >= 0),"
    "  cost_milli INTEGER NOT NULL CHECK (cost_milli >= 0),"
    "  budget_milli INTEGER NOT NULL CHECK (budget_milli >= 0),"
    "  at INTEGER NOT NULL,"
    "  UNIQUE (origin, seq)"
    ");"
    "CREATE UNIQUE INDEX release_ledger_first ON "
    "release_ledger(origin, period_start, months) WHERE supersedes = 0;"
    "CREATE INDEX release_ledger_year ON release_ledger(budget_year);"
    "CREATE TRIGGER release_ledger_no_update BEFORE UPDATE ON "
    "release_ledger BEGIN SELECT RAISE(ABORT, 'the release ledger is "
    "append-only'); END;"
    "CREATE TRIGGER release_ledger_no_delete BEFORE DELETE ON "
    "release_ledger BEGIN SELECT RAISE(ABORT, 'the release ledger is "
    "append-only'); END;"
    "CREATE TABLE audit_log ("
    "  id INTEGER PRIMARY KEY CHECK (id >= 1),"
    "  at INTEGER NOT NULL,"
    "  kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 3),"
    "  actor TEXT NOT NULL,"
    "  origin TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  doc_hash BLOB NOT NULL CHECK (length(doc_hash) = 32),"
    "  period TEXT NOT NULL,"
    "  mode INTEGER NOT NULL,"
    "  k INTEGER NOT NULL,"
    "  epsilon_milli INTEGER NOT NULL,"
    "  withhold_below INTEGER NOT NULL,"
    "  persons_cap INTEGER NOT NULL,"
    "  supersedes INTEGER NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  cost_milli INTEGER NOT NULL,"
    "  spent_milli INTEGER NOT NULL,"
    "  budget_milli INTEGER NOT NULL,"
    "  n_released INTEGER NOT NULL,"
    "  n_primary INTEGER NOT NULL,"
    "  n_zero_hidden INTEGER NOT NULL,"
    "  n_complementary INTEGER NOT NULL,"
    "  n_noisy INTEGER NOT NULL,"
    "  n_withheld INTEGER NOT NULL,"
    "  secret_id BLOB,"
    "  note TEXT NOT NULL,"
    "  peer TEXT NOT NULL,"
    "  prev BLOB NOT NULL CHECK (length(prev) = 32),"
    "  hash BLOB NOT NULL CHECK (length(hash) = 32)"
    ");"
    "CREATE INDEX audit_log_doc ON audit_log(origin, seq);"
    "CREATE UNIQUE INDEX audit_log_sent_once ON audit_log(origin, seq, "
    "peer) WHERE kind = 3;"
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN "
    "SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN "
    "SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

/* Version 6: idempotent capture. A client's key (hashed with its token
 * id: nothing the client chose is kept) names the signal its first
 * request stored, with the hash of that request's body; written in the
 * same transaction as the signal, so a retry after a lost answer finds
 * it. */
static const char SCHEMA_V6[] =
    "CREATE TABLE capture_key ("
    "  key BLOB PRIMARY KEY CHECK (length(key) = 32),"
    "  request BLOB NOT NULL CHECK (length(request) = 32),"
    "  signal_uid BLOB NOT NULL CHECK (length(signal_uid) = 16),"
    "  created_at INTEGER NOT NULL"
    ") WITHOUT ROWID;";

/* Version 7: secure-aggregation rounds (store/secagg.h): the
 * aggregator's rounds and the members' messages it accepted, and a
 * member's memory of the close it revealed for. */
static const char SCHEMA_V7[] =
    "CREATE TABLE secagg_round ("
    "  period TEXT NOT NULL,"
    "  attempt INTEGER NOT NULL CHECK (attempt BETWEEN 1 AND 16),"
    "  round BLOB NOT NULL UNIQUE CHECK (length(round) = 32),"
    "  open BLOB NOT NULL,"
    "  keyset BLOB,"
    "  close BLOB,"
    "  state INTEGER NOT NULL CHECK (state BETWEEN 0 AND 2),"
    "  fedsum_seq INTEGER NOT NULL DEFAULT 0,"
    "  started INTEGER NOT NULL,"
    "  ended INTEGER NOT NULL DEFAULT 0,"
    "  n_invited INTEGER NOT NULL DEFAULT 0,"
    "  n_included INTEGER NOT NULL DEFAULT 0,"
    "  n_dropped INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (period, attempt)"
    ") WITHOUT ROWID;"
    "CREATE TABLE secagg_msg ("
    "  round BLOB NOT NULL CHECK (length(round) = 32),"
    "  member TEXT NOT NULL,"
    "  type INTEGER NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  msg BLOB NOT NULL,"
    "  PRIMARY KEY (round, type, member)"
    ") WITHOUT ROWID;"
    "CREATE TABLE secagg_revealed ("
    "  round BLOB PRIMARY KEY CHECK (length(round) = 32),"
    "  close BLOB NOT NULL CHECK (length(close) = 32),"
    "  at INTEGER NOT NULL"
    ") WITHOUT ROWID;";

/* Version 8: a summary held for its feed's chain but counted nowhere
 * (PROTOCOL.md 5.3, "Epochs"): the federation seq of the policy of its
 * time that refuses it, 0 for every document that counts. */
static const char SCHEMA_V8[] =
    "ALTER TABLE feed_doc ADD COLUMN uncounted INTEGER NOT NULL DEFAULT 0 "
    "CHECK (uncounted >= 0);"
    "CREATE INDEX feed_doc_uncounted ON feed_doc(origin, seq) "
    "WHERE uncounted != 0;";

/* APPEND new steps at the end; versions are consecutive from 1. */
static const struct store_migration migrations[] = {
    {.version = 1,
     .summary = "taxonomy, organisations, reporters, signals",
     .sql = SCHEMA_V1},
    {.version = 2,
     .summary = "dossiers: phases, history, actions, feedback",
     .sql = SCHEMA_V2},
    {.version = 3, .summary = "federation feeds and forks", .sql = SCHEMA_V3},
    {.version = 4, .summary = "API access tokens", .sql = SCHEMA_V4},
    {.version = 5,
     .summary = "privacy-budget ledger and hash-chained release audit log",
     .sql = SCHEMA_V5},
    {.version = 6,
     .summary = "idempotency keys of captures",
     .sql = SCHEMA_V6},
    {.version = 7,
     .summary = "secure-aggregation rounds",
     .sql = SCHEMA_V7},
    {.version = 8,
     .summary = "summaries held but not counted (policy epochs)",
     .sql = SCHEMA_V8},
};

const struct store_migration *store_schema_migrations(size_t *n)
{
	*n = sizeof migrations / sizeof migrations[0];
	return migrations;
}

/* One step in its own transaction; re-checks the version inside it, so
 * two processes opening an old database at once upgrade it once. */
static int run_step(struct store *s, const struct store_migration *m,
                    struct ls_errinfo *e)
{
	char sql[64];
	int rc, version;

	if (m->fk_off &&
	    (rc = store_exec(s, "PRAGMA foreign_keys=OFF")) != LS_OK)
		return ls_errf(e, rc, "schema-update %d mislukt", m->version);
	if ((rc = store_exec(s, "BEGIN IMMEDIATE")) != LS_OK) {
		ls_errf(e, rc, "schema-update %d: databank is bezet",
		        m->version);
		goto out;
	}
	if ((rc = store_schema_version(s, &version)) != LS_OK)
		goto rollback;
	if (version >= m->version) {
		rc = store_exec(s, "COMMIT"); /* someone else did it */
		goto out;
	}
	if (version != m->version - 1) {
		rc = ls_errf(e, LS_ESCHEMA,
		             "schemaversie %d verwacht vóór stap %d, maar de "
		             "databank heeft %d",
		             m->version - 1, m->version, version);
		goto rollback;
	}
	if ((rc = store_exec(s, m->sql)) != LS_OK) {
		ls_errf(e, rc, "schema-update %d mislukt: %s", m->version,
		        store_errmsg_nl(s->db, rc));
		goto rollback;
	}
	if (m->fk_off) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1,
		                       &st, NULL) != SQLITE_OK) {
			rc = ls_errf(e, LS_ESTORE, "schema-update %d mislukt",
			             m->version);
			goto rollback;
		}
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			rc = ls_errf(e, LS_ECORRUPT,
			             "schema-update %d breekt verwijzingen",
			             m->version);
			goto rollback;
		}
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version=%d", m->version);
	if ((rc = store_exec(s, sql)) != LS_OK)
		goto rollback;
	if ((rc = store_exec(s, "COMMIT")) != LS_OK) {
		ls_errf(e, rc, "schema-update %d: bewaren mislukt", m->version);
		goto rollback;
	}
	LS_INFO("store", "migrated", "version=%d", m->version);
	goto out;
rollback:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
out:
	if (m->fk_off)
		(void)store_exec(s, "PRAGMA foreign_keys=ON");
	return rc;
}

/* The store's schema version into *version; a version newer than this
 * program knows is refused before anything is touched. */
static int version_known(struct store *s, int *version, struct ls_errinfo *e)
{
	int rc;
	if ((rc = store_schema_version(s, version)) != LS_OK)
		return ls_errf(e, rc, "kan de schemaversie niet lezen");
	if (*version > store_schema_latest())
		return ls_errf(e, LS_ESCHEMA,
		               "de databank %s heeft schemaversie %d, deze "
		               "versie van Lokaal Signaal kent versies tot %d: "
		               "gebruik een nieuwere versie (de databank is "
		               "niet gewijzigd)",
		               s->path, *version, store_schema_latest());
	return LS_OK;
}

int store_schema_check(struct store *s, struct ls_errinfo *e)
{
	int version;
	return version_known(s, &version, e);
}

int store_schema_migrate(struct store *s, struct ls_errinfo *e)
{
	size_t n;
	const struct store_migration *m = store_schema_migrations(&n);
	int version, rc;

	if ((rc = version_known(s, &version, e)) != LS_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (m[i].version <= version)
			continue;
		if ((rc = run_step(s, &m[i], e)) != LS_OK)
			return rc;
	}
	return LS_OK;
}
