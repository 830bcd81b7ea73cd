/*
 * Dossier rows. Each public write: check the input (texts, codes, the
 * transition table) before touching the database, then one transaction
 * that changes the dossier row, appends one history event and bumps
 * updated_at. Reads decode rows into the structs of dossier.h.
 */
#include "common/text.h"
#include "store/dossier.h"
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_NEW[] =
    "INSERT INTO dossier (title, problem_id, owner, phase, criteria, "
    "created_at, updated_at) VALUES (?, ?, ?, 0, 0, ?, ?)";
static const char SQL_THEME[] =
    "INSERT INTO dossier_theme (dossier_id, theme_id) VALUES (?, ?)";
static const char SQL_EVENT[] =
    "INSERT INTO dossier_history (dossier_id, at, kind, from_phase, "
    "to_phase, criteria, actor, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_STATE[] =
    "SELECT phase, criteria FROM dossier WHERE id = ?";
static const char SQL_SET_PHASE[] =
    "UPDATE dossier SET phase = ?2, updated_at = ?3 WHERE id = ?1";
static const char SQL_SET_CRITERIA[] =
    "UPDATE dossier SET criteria = ?2, updated_at = ?3 WHERE id = ?1";
static const char SQL_TOUCH[] =
    "UPDATE dossier SET updated_at = ?2 WHERE id = ?1";
static const char SQL_SIGNAL_ROWID[] = "SELECT id FROM signal WHERE uid = ?";
static const char SQL_LINK[] =
    "INSERT OR IGNORE INTO dossier_signal (dossier_id, signal_id, "
    "linked_at) VALUES (?, ?, ?)";
static const char SQL_SIGNAL_STATUS_ONE[] =
    "UPDATE signal SET status = ?2 WHERE id = ?1 AND status < ?2";
static const char SQL_SIGNALS_STATUS[] =
    "UPDATE signal SET status = ?2 WHERE id IN "
    "(SELECT signal_id FROM dossier_signal WHERE dossier_id = ?1)";
static const char SQL_ACT[] =
    "INSERT INTO dossier_action (dossier_id, what, who, due, result, "
    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_ACT_RESULT[] =
    "UPDATE dossier_action SET result = ?3, updated_at = ?4 "
    "WHERE id = ?2 AND dossier_id = ?1";
static const char SQL_ORG_FIND[] = "SELECT id FROM organisation WHERE name = ?";
static const char SQL_FEEDBACK_ONE[] =
    "INSERT INTO dossier_feedback (dossier_id, organisation_id, at, text) "
    "VALUES (?, ?, ?, ?)";
static const char SQL_FEEDBACK_ALL[] =
    "INSERT INTO dossier_feedback (dossier_id, organisation_id, at, text) "
    "SELECT DISTINCT ?1, s.organisation_id, ?2, ?3 FROM dossier_signal ds "
    "JOIN signal s ON s.id = ds.signal_id WHERE ds.dossier_id = ?1";

static const char SQL_GET[] =
    "SELECT d.id, d.title, d.owner, d.phase, d.criteria, d.problem_id, "
    "d.created_at, d.updated_at, "
    "(SELECT group_concat(theme_id) FROM dossier_theme "
    "  WHERE dossier_id = d.id), "
    "(SELECT count(*) FROM dossier_signal WHERE dossier_id = d.id), "
    "(SELECT count(*) FROM dossier_action WHERE dossier_id = d.id) "
    "FROM dossier d WHERE (?1 IS NULL OR d.id = ?1) "
    "AND (?2 IS NULL OR d.phase = ?2) ORDER BY d.id";
static const char SQL_GET_SIGNALS[] =
    "SELECT s.uid, s.registered_at, (SELECT min(theme_id) FROM "
    "signal_theme WHERE signal_id = s.id) FROM dossier_signal ds "
    "JOIN signal s ON s.id = ds.signal_id WHERE ds.dossier_id = ? "
    "ORDER BY s.registered_at, s.id";
static const char SQL_GET_EVENTS[] =
    "SELECT at, kind, from_phase, to_phase, criteria, actor, note "
    "FROM dossier_history WHERE dossier_id = ? ORDER BY id";
static const char SQL_GET_ACTIONS[] =
    "SELECT id, what, who, due, result, created_at, updated_at "
    "FROM dossier_action WHERE dossier_id = ? ORDER BY id";
static const char SQL_GET_FEEDBACK[] =
    "SELECT f.at, o.name, f.text FROM dossier_feedback f "
    "JOIN organisation o ON o.id = f.organisation_id "
    "WHERE f.dossier_id = ? ORDER BY f.id";

/* Text is bound SQLITE_STATIC throughout: every string outlives its
 * step, and a copying bind can fail for want of memory, which would store
 * NULL and surface as a constraint error instead of LS_ENOMEM. */
static void bind_opt_text(sqlite3_stmt *st, int col, const char *t)
{
	if (t == NULL || t[0] == '\0')
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_text(st, col, t, -1, SQLITE_STATIC);
}

static int append_event(struct store *s, int64_t id, int64_t now,
                        const char *kind, int from, int to, int criteria,
                        const char *actor, const char *note)
{
	sqlite3_stmt *st;
	int rc = store_stmt(s, SQL_EVENT, &st);
	if (rc != LS_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	if (from >= 0)
		sqlite3_bind_int(st, 4, from);
	if (to >= 0)
		sqlite3_bind_int(st, 5, to);
	if (criteria >= 0)
		sqlite3_bind_int(st, 6, criteria);
	bind_opt_text(st, 7, actor);
	bind_opt_text(st, 8, note);
	return store_step_done(s, st, "dossier_event");
}

/* Read phase and criteria; LS_ENOTFOUND. */
static int load_state(struct store *s, int64_t id, int *phase,
                      unsigned *criteria, struct ls_errinfo *e)
{
	sqlite3_stmt *st;
	int rc = store_stmt(s, SQL_STATE, &st);
	if (rc != LS_OK)
		return ls_errf(e, rc, "interne fout");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*phase = sqlite3_column_int(st, 0);
		*criteria = (unsigned)sqlite3_column_int(st, 1);
		sqlite3_reset(st);
		return LS_OK;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return ls_errf(e, LS_ENOTFOUND, "geen dossier met nummer %lld",
		               (long long)id);
	return ls_errf(e, store_err(s, rc, "dossier_state"),
	               "kan het dossier niet lezen");
}

static int update2(struct store *s, const char *sql, int64_t id, int64_t v,
                   int64_t now)
{
	sqlite3_stmt *st;
	int rc = store_stmt(s, sql, &st);
	if (rc != LS_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, v);
	if (sqlite3_bind_parameter_count(st) >= 3)
		sqlite3_bind_int64(st, 3, now);
	return store_step_done(s, st, "dossier_update");
}

static int touch(struct store *s, int64_t id, int64_t now)
{
	return update2(s, SQL_TOUCH, id, now, now);
}

static int check_actor(const char *actor, struct ls_errinfo *e)
{
	return ls_text_check("de naam van wie de wijziging doet", actor,
	                     LS_DOSSIER_OWNER_MAX, 0, 0, e);
}

int store_dossier_new(struct store *s, const char *title, const char *owner,
                      const char *const *themes, size_t n_themes,
                      const char *problem, const char *actor, int64_t *id,
                      struct ls_errinfo *e)
{
	const struct ls_taxonomy_entry *th[STORE_DOSSIER_MAX_THEMES];
	const struct ls_taxonomy_entry *pr = NULL;
	sqlite3_stmt *st;
	int64_t now = store_now(), did = 0;
	int rc, owned;

	if ((rc = ls_text_check("de titel", title, LS_DOSSIER_TITLE_MAX, 1, 0,
	                        e)) != LS_OK ||
	    (rc = ls_text_check("de trekker", owner, LS_DOSSIER_OWNER_MAX, 1, 0,
	                        e)) != LS_OK ||
	    (rc = check_actor(actor, e)) != LS_OK)
		return rc;
	if (n_themes == 0 || n_themes > STORE_DOSSIER_MAX_THEMES)
		return ls_errf(e, LS_EINVAL, "geef 1 tot %d thema's",
		               STORE_DOSSIER_MAX_THEMES);
	for (size_t i = 0; i < n_themes; i++) {
		th[i] = ls_taxonomy_find(&s->tax, LS_DIM_THEME, themes[i],
		                         strlen(themes[i]));
		if (th[i] == NULL)
			return ls_errf(e, LS_EINVAL,
			               "onbekende themacode '%.40s'",
			               themes[i]);
		for (size_t j = 0; j < i; j++)
			if (th[j] == th[i])
				return ls_errf(e, LS_EINVAL,
				               "thema '%s' staat er twee keer",
				               themes[i]);
	}
	if (problem != NULL && problem[0] != '\0') {
		pr = ls_taxonomy_find(&s->tax, LS_DIM_PROBLEM, problem,
		                      strlen(problem));
		if (pr == NULL)
			return ls_errf(e, LS_EINVAL,
			               "onbekend probleemtype '%.40s'",
			               problem);
	}
	if ((rc = store_tx_enter(s, &owned)) != LS_OK)
		return ls_errf(e, rc, "de databank is bezet; probeer opnieuw");
	if ((rc = store_stmt(s, SQL_NEW, &st)) != LS_OK)
		goto out;
	sqlite3_bind_text(st, 1, title, -1, SQLITE_STATIC);
	if (pr != NULL)
		sqlite3_bind_int64(st, 2, pr->id);
	sqlite3_bind_text(st, 3, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, now);
	if ((rc = store_step_done(s, st, "dossier_new")) != LS_OK)
		goto out;
	did = sqlite3_last_insert_rowid(s->db);
	for (size_t i = 0; i < n_themes && rc == LS_OK; i++) {
		if ((rc = store_stmt(s, SQL_THEME, &st)) != LS_OK)
			break;
		sqlite3_bind_int64(st, 1, did);
		sqlite3_bind_int64(st, 2, th[i]->id);
		rc = store_step_done(s, st, "dossier_theme");
	}
	if (rc == LS_OK)
		rc = append_event(s, did, now, "nieuw", -1, LS_PHASE_OPMERKEN,
		                  0, actor, title);
out:
	rc = store_tx_end(s, owned, rc);
	if (rc != LS_OK)
		return ls_errf(e, rc, "kan het dossier niet bewaren");
	*id = did;
	return LS_OK;
}

int store_dossier_link(struct store *s, int64_t id,
                       const uint8_t (*signals)[LS_SIGNAL_ID_BYTES], size_t n,
                       const char *actor, size_t *linked, struct ls_errinfo *e)
{
	sqlite3_stmt *st;
	int64_t now = store_now();
	size_t added = 0;
	int rc, owned, phase;
	unsigned criteria;
	char note[64];

	if ((rc = check_actor(actor, e)) != LS_OK)
		return rc;
	if (n == 0)
		return ls_errf(e, LS_EINVAL, "geef minstens één signaal-id");
	if ((rc = store_tx_enter(s, &owned)) != LS_OK)
		return ls_errf(e, rc, "de databank is bezet; probeer opnieuw");
	if ((rc = load_state(s, id, &phase, &criteria, e)) != LS_OK)
		goto out;
	for (size_t i = 0; i < n && rc == LS_OK; i++) {
		int64_t rowid;
		if ((rc = store_stmt(s, SQL_SIGNAL_ROWID, &st)) != LS_OK)
			break;
		sqlite3_bind_blob(st, 1, signals[i], LS_SIGNAL_ID_BYTES,
		                  SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW) {
			char hex[LS_SIGNAL_ID_HEX_SIZE];
			sqlite3_reset(st);
			ls_signal_id_format(signals[i], hex);
			rc =
			    rc == SQLITE_DONE
			        ? ls_errf(e, LS_ENOTFOUND,
			                  "geen signaal met id %s; er is niets "
			                  "gekoppeld",
			                  hex)
			        : store_err(s, rc, "link_find");
			break;
		}
		rowid = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if ((rc = store_stmt(s, SQL_LINK, &st)) != LS_OK)
			break;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, rowid);
		sqlite3_bind_int64(st, 3, now);
		if ((rc = store_step_done(s, st, "link")) != LS_OK)
			break;
		if (sqlite3_changes(s->db) == 0)
			continue; /* already linked */
		added++;
		rc = update2(s, SQL_SIGNAL_STATUS_ONE, rowid,
		             phase == LS_PHASE_FEEDBACK ? LS_STATUS_CLOSED
		                                        : LS_STATUS_LINKED,
		             now);
	}
	/* The history says how many, never which: an erased signal must
	 * leave no trace here. */
	snprintf(note, sizeof note, "%zu signaal/signalen gekoppeld", added);
	if (rc == LS_OK && added > 0)
		rc = append_event(s, id, now, "koppeling", -1, -1, -1, actor,
		                  note);
	if (rc == LS_OK && added > 0)
		rc = touch(s, id, now);
out:
	rc = store_tx_end(s, owned, rc);
	if (rc != LS_OK) {
		if (e != NULL && e->code == LS_OK)
			ls_errf(e, rc, "koppelen mislukt");
		return rc;
	}
	if (linked != NULL)
		*linked = added;
	return LS_OK;
}

static const char SQL_UNLINK[] =
    "DELETE FROM dossier_signal WHERE dossier_id = ?1 AND signal_id = "
    "(SELECT id FROM signal WHERE uid = ?2) RETURNING signal_id";
/* ?1 the signal's row, ?2 the feedback phase. */
static const char SQL_SIGNAL_STATUS_FOLLOW[] =
    "UPDATE signal SET status = CASE "
    "WHEN EXISTS (SELECT 1 FROM dossier_signal ds JOIN dossier d "
    "  ON d.id = ds.dossier_id WHERE ds.signal_id = ?1 AND d.phase = ?2) "
    "  THEN 2 "
    "WHEN EXISTS (SELECT 1 FROM dossier_signal WHERE signal_id = ?1) "
    "  THEN 1 ELSE 0 END WHERE id = ?1";

int store_dossier_unlink(struct store *s, int64_t id,
                         const uint8_t signal[LS_SIGNAL_ID_BYTES],
                         const char *actor, const char *note,
                         struct ls_errinfo *e)
{
	sqlite3_stmt *st;
	int64_t now = store_now(), rowid = 0;
	int rc, owned, phase;
	unsigned criteria;
	char text[LS_DOSSIER_TEXT_MAX + 32];

	if ((rc = check_actor(actor, e)) != LS_OK ||
	    (rc = ls_text_check("de notitie", note, LS_DOSSIER_TEXT_MAX, 0, 1,
	                        e)) != LS_OK)
		return rc;
	if ((rc = store_tx_enter(s, &owned)) != LS_OK)
		return ls_errf(e, rc, "de databank is bezet; probeer opnieuw");
	if ((rc = load_state(s, id, &phase, &criteria, e)) != LS_OK)
		goto out;
	if ((rc = store_stmt(s, SQL_UNLINK, &st)) != LS_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob(st, 2, signal, LS_SIGNAL_ID_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rowid = sqlite3_column_int64(st, 0);
		rc = sqlite3_step(st);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = store_err(s, rc, "unlink");
		goto out;
	}
	if (rowid == 0) {
		rc = ls_errf(e, LS_ENOTFOUND,
		             "dit signaal is niet gekoppeld aan dossier %lld",
		             (long long)id);
		goto out;
	}
	if ((rc = update2(s, SQL_SIGNAL_STATUS_FOLLOW, rowid, LS_PHASE_FEEDBACK,
	                  now)) != LS_OK)
		goto out;
	/* As for linking: how many, never which. */
	snprintf(text, sizeof text, "1 signaal ontkoppeld%s%s",
	         note != NULL && note[0] != '\0' ? ": " : "",
	         note != NULL ? note : "");
	if ((rc = append_event(s, id, now, "koppeling", -1, -1, -1, actor,
	                       text)) == LS_OK)
		rc = touch(s, id, now);
out:
	rc = store_tx_end(s, owned, rc);
	if (rc != LS_OK && e != NULL && e->code == LS_OK)
		ls_errf(e, rc, "ontkoppelen mislukt");
	return rc;
}

int store_dossier_advance(struct store *s, int64_t id, enum ls_phase to,
                          const char *actor, const char *note,
                          struct ls_errinfo *e)
{
	int64_t now = store_now();
	int rc, owned, phase;
	unsigned criteria;

	if ((rc = check_actor(actor, e)) != LS_OK ||
	    (rc = ls_text_check("de notitie", note, LS_DOSSIER_TEXT_MAX, 0, 1,
	                        e)) != LS_OK)
		return rc;
	if ((rc = store_tx_enter(s, &owned)) != LS_OK)
		return ls_errf(e, rc, "de databank is bezet; probeer opnieuw");
	if ((rc = load_state(s, id, &phase, &criteria, e)) != LS_OK)
		goto out;
	if ((rc = ls_dossier_check_transition((enum ls_phase)phase, to,
	                                      criteria, e)) != LS_OK)
		goto out;
	if ((rc = update2(s, SQL_SET_PHASE, id, to, now)) != LS_OK)
		goto out;
	if (to == LS_PHASE_FEEDBACK)
		rc = update2(s, SQL_SIGNALS_STATUS, id, LS_STATUS_CLOSED, now);
	else if (phase == LS_PHASE_FEEDBACK)
		rc = update2(s, SQL_SIGNALS_STATUS, id, LS_STATUS_LINKED, now);
	if (rc == LS_OK)
		rc = append_event(s, id, now, "fase", phase, to, (int)criteria,
		                  actor, note);
out:
	rc = store_tx_end(s, owned, rc);
	if (rc != LS_OK && e != NULL && e->code == LS_OK)
		ls_errf(e, rc, "kan de fase niet wijzigen");
	return rc;
}

int store_dossier_criteria(struct store *s, int64_t id, unsigned set,
                           unsigned clear, const char *actor, const char *note,
                           struct ls_errinfo *e)
{
	int64_t now = store_now();
	int rc, owned, phase;
	unsigned criteria, next;

	if ((rc = check_actor(actor, e)) != LS_OK ||
	    (rc = ls_text_check("de notitie", note, LS_DOSSIER_TEXT_MAX, 0, 1,
	                        e)) != LS_OK)
		return rc;
	if ((set | clear) & ~LS_CRIT_ALL || (set & clear) != 0)
		return ls_errf(e, LS_EINVAL,
		               "een criterium kan niet tegelijk voldaan en "
		               "niet voldaan zijn");
	if ((rc = store_tx_enter(s, &owned)) != LS_OK)
		return ls_errf(e, rc, "de databank is bezet; probeer opnieuw");
	if ((rc = load_state(s, id, &phase, &criteria, e)) != LS_OK)
		goto out;
	next = (criteria | set) & ~clear;
	if ((ls_dossier_phase_criteria((enum ls_phase)phase) & ~next) != 0) {
		rc = ls_errf(e, LS_ESTATE,
		             "in fase %s moeten alle criteria voldaan blijven",
		             ls_phase_name((enum ls_phase)phase));
		goto out;
	}
	if ((rc = update2(s, SQL_SET_CRITERIA, id, next, now)) == LS_OK)
		rc = append_event(s, id, now, "criteria", -1, -1, (int)next,
		                  actor, note);
out:
	rc = store_tx_end(s, owned, rc);
	if (rc != LS_OK && e != NULL && e->code == LS_OK)
		ls_errf(e, rc, "kan de criteria niet wijzigen");
	return rc;
}

int store_dossier_act(struct store *s, int64_t id, const char *what,
                      const char *who, const char *due, const char *result,
                      const char *actor, int64_t *action_id,
                      struct ls_errinfo *e)
{
	sqlite3_stmt *st;
	int64_t now = store_now(), aid = 0;
	int rc, owned, phase;
	unsigned criteria;
	char note[LS_DOSSIER_TEXT_MAX + 32];

	if ((rc = ls_text_check("wat", what, LS_DOSSIER_TEXT_MAX, 1, 1, e)) !=
	        LS_OK ||
	    (rc = ls_text_check("wie", who, LS_DOSSIER_OWNER_MAX, 1, 0, e)) !=
	        LS_OK ||
	    (rc = ls_text_check("het resultaat", result, LS_DOSSIER_TEXT_MAX, 0,
	                        1, e)) != LS_OK ||
	    (rc = check_actor(actor, e)) != LS_OK)
		return rc;
	if (due != NULL && due[0] != '\0') {
		struct ls_date d;
		if (ls_date_parse(due, strlen(due), &d) != LS_OK)
			return ls_errf(e, LS_EINVAL,
			               "ongeldige datum '%.20s' (JJJJ-MM-DD)",
			               due);
	}
	if ((rc = store_tx_enter(s, &owned)) != LS_OK)
		return ls_errf(e, rc, "de databank is bezet; probeer opnieuw");
	if ((rc = load_state(s, id, &phase, &criteria, e)) != LS_OK)
		goto out;
	if ((rc = store_stmt(s, SQL_ACT, &st)) != LS_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, what, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, who, -1, SQLITE_STATIC);
	bind_opt_text(st, 4, due);
	bind_opt_text(st, 5, result);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_int64(st, 7, now);
	if ((rc = store_step_done(s, st, "dossier_act")) != LS_OK)
		goto out;
	aid = sqlite3_last_insert_rowid(s->db);
	snprintf(note, sizeof note, "actie %lld: %s", (long long)aid, what);
	if ((rc = append_event(s, id, now, "actie", -1, -1, -1, actor, note)) ==
	    LS_OK)
		rc = touch(s, id, now);
out:
	rc = store_tx_end(s, owned, rc);
	if (rc != LS_OK) {
		if (e != NULL && e->code == LS_OK)
			ls_errf(e, rc, "kan de actie niet bewaren");
		return rc;
	}
	if (action_id != NULL)
		*action_id = aid;
	return LS_OK;
}

int store_dossier_action_result(struct store *s, int64_t id, int64_t action_id,
                                const char *result, const char *actor,
                                struct ls_errinfo *e)
{
	sqlite3_stmt *st;
	int64_t now = store_now();
	int rc, owned, phase;
	unsigned criteria;
	char note[LS_DOSSIER_TEXT_MAX + 48];

	if ((rc = ls_text_check("het resultaat", result, LS_DOSSIER_TEXT_MAX, 1,
	                        1, e)) != LS_OK ||
	    (rc = check_actor(actor, e)) != LS_OK)
		return rc;
	if ((rc = store_tx_enter(s, &owned)) != LS_OK)
		return ls_errf(e, rc, "de databank is bezet; probeer opnieuw");
	if ((rc = load_state(s, id, &phase, &criteria, e)) != LS_OK)
		goto out;
	if ((rc = store_stmt(s, SQL_ACT_RESULT, &st)) != LS_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, action_id);
	sqlite3_bind_text(st, 3, result, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	if ((rc = store_step_done(s, st, "action_result")) != LS_OK)
		goto out;
	if (sqlite3_changes(s->db) == 0) {
		rc = ls_errf(e, LS_ENOTFOUND,
		             "dossier %lld heeft geen actie %lld",
		             (long long)id, (long long)action_id);
		goto out;
	}
	snprintf(note, sizeof note, "resultaat actie %lld: %s",
	         (long long)action_id, result);
	if ((rc = append_event(s, id, now, "actie", -1, -1, -1, actor, note)) ==
	    LS_OK)
		rc = touch(s, id, now);
out:
	rc = store_tx_end(s, owned, rc);
	if (rc != LS_OK && e != NULL && e->code == LS_OK)
		ls_errf(e, rc, "kan het resultaat niet bewaren");
	return rc;
}

int store_dossier_feedback(struct store *s, int64_t id,
                           const char *organisation, const char *text,
                           const char *actor, size_t *n_orgs,
                           struct ls_errinfo *e)
{
	sqlite3_stmt *st;
	int64_t now = store_now();
	int rc, owned, phase;
	unsigned criteria;
	size_t n = 0;
	char note[LS_DOSSIER_TEXT_MAX + 200];

	if ((rc = ls_text_check("de feedback", text, LS_DOSSIER_TEXT_MAX, 1, 1,
	                        e)) != LS_OK ||
	    (rc = check_actor(actor, e)) != LS_OK)
		return rc;
	if ((rc = store_tx_enter(s, &owned)) != LS_OK)
		return ls_errf(e, rc, "de databank is bezet; probeer opnieuw");
	if ((rc = load_state(s, id, &phase, &criteria, e)) != LS_OK)
		goto out;
	if (organisation != NULL) {
		int64_t org;
		if ((rc = store_stmt(s, SQL_ORG_FIND, &st)) != LS_OK)
			goto out;
		sqlite3_bind_text(st, 1, organisation, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW) {
			sqlite3_reset(st);
			rc = rc == SQLITE_DONE
			         ? ls_errf(e, LS_ENOTFOUND,
			                   "onbekende organisatie '%.80s'",
			                   organisation)
			         : store_err(s, rc, "feedback_org");
			goto out;
		}
		org = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if ((rc = store_stmt(s, SQL_FEEDBACK_ONE, &st)) != LS_OK)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, org);
		sqlite3_bind_int64(st, 3, now);
		sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
		if ((rc = store_step_done(s, st, "feedback")) != LS_OK)
			goto out;
		n = 1;
	} else {
		if ((rc = store_stmt(s, SQL_FEEDBACK_ALL, &st)) != LS_OK)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, now);
		sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
		if ((rc = store_step_done(s, st, "feedback_all")) != LS_OK)
			goto out;
		n = (size_t)sqlite3_changes(s->db);
		if (n == 0) {
			rc = ls_errf(e, LS_ESTATE,
			             "dossier %lld heeft geen gekoppelde "
			             "signalen: noem de organisatie",
			             (long long)id);
			goto out;
		}
	}
	snprintf(note, sizeof note, "feedback aan %s: %s",
	         organisation ? organisation : "alle meldende organisaties",
	         text);
	if ((rc = append_event(s, id, now, "feedback", -1, -1, -1, actor,
	                       note)) == LS_OK)
		rc = touch(s, id, now);
out:
	rc = store_tx_end(s, owned, rc);
	if (rc != LS_OK) {
		if (e != NULL && e->code == LS_OK)
			ls_errf(e, rc, "kan de feedback niet bewaren");
		return rc;
	}
	if (n_orgs != NULL)
		*n_orgs = n;
	return LS_OK;
}

/* --- reading -------------------------------------------------------- */

static const char *col_text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

static void decode_dossier(struct store *s, sqlite3_stmt *st,
                           struct store_dossier *d)
{
	const char *themes;
	memset(d, 0, sizeof *d);
	d->id = sqlite3_column_int64(st, 0);
	d->title = col_text(st, 1);
	d->owner = col_text(st, 2);
	d->phase = (uint8_t)sqlite3_column_int(st, 3);
	d->criteria = (unsigned)sqlite3_column_int(st, 4);
	if (sqlite3_column_type(st, 5) != SQLITE_NULL)
		d->problem = store_tax_entry(s, sqlite3_column_int64(st, 5));
	d->created_at = sqlite3_column_int64(st, 6);
	d->updated_at = sqlite3_column_int64(st, 7);
	themes = col_text(st, 8);
	while (themes != NULL && *themes != '\0' &&
	       d->n_themes < STORE_DOSSIER_MAX_THEMES) {
		char *end;
		const struct ls_taxonomy_entry *x =
		    store_tax_entry(s, strtoll(themes, &end, 10));
		if (end == themes)
			break;
		if (x != NULL)
			d->themes[d->n_themes++] = x;
		themes = *end == ',' ? end + 1 : end;
	}
	d->n_signals = (uint64_t)sqlite3_column_int64(st, 9);
	d->n_actions = (uint64_t)sqlite3_column_int64(st, 10);
}

struct list_ctx {
	struct store *s;
	int (*cb)(void *ctx, const struct store_dossier *d);
	void *ctx;
};

static int list_row(void *arg, sqlite3_stmt *st)
{
	struct list_ctx *c = arg;
	struct store_dossier d;
	decode_dossier(c->s, st, &d);
	return c->cb(c->ctx, &d);
}

int store_dossier_list(struct store *s, int phase,
                       int (*cb)(void *ctx, const struct store_dossier *d),
                       void *ctx, struct ls_errinfo *e)
{
	struct list_ctx c = {.s = s, .cb = cb, .ctx = ctx};
	sqlite3_stmt *st;
	int rc = store_stmt(s, SQL_GET, &st);
	if (rc != LS_OK)
		return ls_errf(e, rc, "interne fout");
	if (phase >= 0)
		sqlite3_bind_int(st, 2, phase);
	rc = store_each_row(s, st, list_row, &c, "dossier_list");
	if (rc != LS_OK && e != NULL && e->msg[0] == '\0')
		(void)ls_errf(e, rc, "kan de dossiers niet lezen");
	return rc;
}

static int int_or_minus(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL
	           ? -1
	           : sqlite3_column_int(st, col);
}

/* The row readers of store_dossier_show: one per child table. */
struct show_ctx {
	struct store *s;
	const struct store_dossier_visitor *v;
	int found;
};

static int show_dossier_row(void *arg, sqlite3_stmt *st)
{
	struct show_ctx *c = arg;
	struct store_dossier d;

	c->found = 1;
	decode_dossier(c->s, st, &d);
	return c->v->dossier ? c->v->dossier(c->v->ctx, &d) : 0;
}

static int show_signal_row(void *arg, sqlite3_stmt *st)
{
	struct show_ctx *c = arg;
	uint8_t uid[LS_SIGNAL_ID_BYTES];
	struct ls_date reg = {0, 0, 0};
	const char *r = col_text(st, 1);

	/* The schema makes ids 16 bytes; anything else is damage. */
	if (sqlite3_column_bytes(st, 0) != LS_SIGNAL_ID_BYTES)
		return LS_ECORRUPT;
	memcpy(uid, sqlite3_column_blob(st, 0), sizeof uid);
	if (r != NULL && ls_date_parse(r, strlen(r), &reg) != LS_OK)
		return LS_ECORRUPT;
	return c->v->signal(c->v->ctx, uid, &reg,
	                    store_tax_entry(c->s, sqlite3_column_int64(st, 2)));
}

static int show_event_row(void *arg, sqlite3_stmt *st)
{
	struct show_ctx *c = arg;
	struct store_dossier_event ev = {
	    .at = sqlite3_column_int64(st, 0),
	    .kind = col_text(st, 1),
	    .from_phase = int_or_minus(st, 2),
	    .to_phase = int_or_minus(st, 3),
	    .criteria = int_or_minus(st, 4),
	    .actor = col_text(st, 5),
	    .note = col_text(st, 6),
	};
	return c->v->event(c->v->ctx, &ev);
}

static int show_action_row(void *arg, sqlite3_stmt *st)
{
	struct show_ctx *c = arg;
	struct store_dossier_action a = {
	    .id = sqlite3_column_int64(st, 0),
	    .what = col_text(st, 1),
	    .who = col_text(st, 2),
	    .due = col_text(st, 3),
	    .result = col_text(st, 4),
	    .created_at = sqlite3_column_int64(st, 5),
	    .updated_at = sqlite3_column_int64(st, 6),
	};
	return c->v->action(c->v->ctx, &a);
}

static int show_feedback_row(void *arg, sqlite3_stmt *st)
{
	struct show_ctx *c = arg;
	struct store_dossier_feedback f = {
	    .at = sqlite3_column_int64(st, 0),
	    .organisation = col_text(st, 1),
	    .text = col_text(st, 2),
	};
	return c->v->feedback(c->v->ctx, &f);
}

/* Walk one query bound to the dossier id, unless the visitor stopped
 * (*rc non-zero) or does not want these rows (want == 0). */
static void show_walk(struct show_ctx *c, int want, const char *sql,
                      int64_t id, store_row_cb row, const char *what,
                      int *rc)
{
	sqlite3_stmt *st;

	if (*rc != LS_OK || !want)
		return;
	if ((*rc = store_stmt(c->s, sql, &st)) != LS_OK)
		return;
	sqlite3_bind_int64(st, 1, id);
	*rc = store_each_row(c->s, st, row, c, what);
}

int store_dossier_show(struct store *s, int64_t id,
                       const struct store_dossier_visitor *v,
                       struct ls_errinfo *e)
{
	struct show_ctx c = {.s = s, .v = v, .found = 0};
	int own = sqlite3_get_autocommit(s->db);
	int rc;

	/* One deferred read transaction: a consistent picture without
	 * taking the write lock. A visitor's non-zero return stops the walk
	 * and is returned as is. */
	if (own && (rc = store_exec(s, "BEGIN")) != LS_OK)
		return ls_errf(e, rc, "kan het dossier niet lezen");
	rc = LS_OK;
	show_walk(&c, 1, SQL_GET, id, show_dossier_row, "dossier_show", &rc);
	if (rc == LS_OK && !c.found)
		rc = ls_errf(e, LS_ENOTFOUND, "geen dossier met nummer %lld",
		             (long long)id);
	show_walk(&c, v->signal != NULL, SQL_GET_SIGNALS, id, show_signal_row,
	          "dossier_signals", &rc);
	show_walk(&c, v->event != NULL, SQL_GET_EVENTS, id, show_event_row,
	          "dossier_events", &rc);
	show_walk(&c, v->action != NULL, SQL_GET_ACTIONS, id, show_action_row,
	          "dossier_actions", &rc);
	show_walk(&c, v->feedback != NULL, SQL_GET_FEEDBACK, id,
	          show_feedback_row, "dossier_feedback", &rc);
	if (own) {
		int end = store_exec(s, "COMMIT");
		if (end != LS_OK) {
			(void)store_exec(s, "ROLLBACK");
			if (rc == LS_OK)
				rc = end;
		}
	}
	if (rc != LS_OK && rc != LS_ENOTFOUND && e != NULL && e->msg[0] == '\0')
		(void)ls_errf(e, rc, "kan het dossier niet lezen");
	return rc;
}

/* Per dossier of the signal: its feedback to the signal's organisation
 * (a LEFT JOIN, so a dossier without any is one row with NULLs). */
static const char SQL_FOLLOWUP[] =
    "SELECT d.id, d.title, d.phase, f.at, f.text FROM signal s "
    "JOIN dossier_signal ds ON ds.signal_id = s.id "
    "JOIN dossier d ON d.id = ds.dossier_id "
    "LEFT JOIN dossier_feedback f ON f.dossier_id = d.id "
    "  AND f.organisation_id = s.organisation_id "
    "WHERE s.uid = ? ORDER BY d.id, f.id";

int store_dossier_followup(struct store *s,
                           const uint8_t signal[LS_SIGNAL_ID_BYTES],
                           int (*cb)(void *ctx,
                                     const struct store_dossier_followup *f),
                           void *ctx, struct ls_errinfo *e)
{
	sqlite3_stmt *st;
	int rc = store_stmt(s, SQL_FOLLOWUP, &st);
	if (rc != LS_OK)
		return ls_errf(e, rc, "interne fout");
	sqlite3_bind_blob(st, 1, signal, LS_SIGNAL_ID_BYTES, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_dossier_followup f = {
		    .dossier = sqlite3_column_int64(st, 0),
		    .title = col_text(st, 1),
		    .phase = (uint8_t)sqlite3_column_int(st, 2),
		    .feedback_at = sqlite3_column_int64(st, 3),
		    .feedback = col_text(st, 4),
		};
		int stop;
		if (f.title == NULL || f.phase >= LS_PHASE_COUNT_) {
			sqlite3_reset(st);
			return ls_errf(
			    e, LS_ECORRUPT,
			    "een dossier in de databank is "
			    "beschadigd; voer 'signaalctl check' uit");
		}
		if ((stop = cb(ctx, &f)) != 0) {
			sqlite3_reset(st);
			return stop;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return ls_errf(e, store_err(s, rc, "followup"),
		               "kan de opvolging niet lezen");
	return LS_OK;
}
