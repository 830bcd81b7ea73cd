/* store/audit: the hash-chained, append-only audit log and its
 * verification against every kind of tampering (a changed byte, a
 * deleted, inserted or reordered entry, a rewritten or cut log against an
 * anchor, removed triggers). Tampering goes through a raw SQLite
 * connection, as an attacker with the file would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/audit.h"
#include "tests/unit/fixture_store.h"

#define T_NOW 1764547200LL /* 2025-12-01 */

static void release_entry(struct store_audit_entry *x, uint64_t seq, int month)
{
	memset(x, 0, sizeof *x);
	x->at = T_NOW + (int64_t)seq;
	x->kind = STORE_AUDIT_RELEASE;
	strcpy(x->actor, "dpo");
	strcpy(x->origin, "gent");
	x->seq = seq;
	for (int i = 0; i < LS_HASH_BYTES; i++)
		x->doc_hash[i] = (uint8_t)(seq * 7 + (uint64_t)i);
	x->period = (struct ls_period){2025, month, 1};
	x->params = (struct ls_disclosure_params){
	    .mode = LS_MODE_THRESHOLD, .k = 5, .persons_cap = 10};
	x->cells[STORE_CELLS_RELEASED] = 100;
	x->cells[STORE_CELLS_PRIMARY] = 7;
}

/* A log of n entries: releases, a correction, a sent row. */
static void fill(struct fx *f, int n)
{
	struct store_audit_entry x;
	struct ls_errinfo e;
	for (int i = 1; i <= n; i++) {
		release_entry(&x, (uint64_t)i, (i - 1) % 12 + 1);
		if (i % 4 == 0) {
			x.kind = STORE_AUDIT_CORRECTION;
			x.supersedes = (uint64_t)i - 1;
			strcpy(x.reason, "invoerfout");
			strcpy(x.note, "dubbel ingevoerd door partner X");
		} else if (i % 5 == 0) {
			memset(&x.period, 0, sizeof x.period);
			memset(&x.params, 0, sizeof x.params);
			memset(x.cells, 0, sizeof x.cells);
			x.kind = STORE_AUDIT_SENT;
			x.seq = 1;
			strcpy(x.peer, "kortrijk");
			strcpy(x.actor, "signaald");
		}
		assert_int_equal(store_audit_append(f->s, &x, &e), LS_OK);
		assert_int_equal(x.id, (uint64_t)i);
	}
}

static void verify(struct fx *f, int ok, uint64_t bad_id)
{
	struct store_audit_verdict v;
	assert_int_equal(store_audit_verify(f->s, 0, NULL, &v), LS_OK);
	if (v.ok != ok || (!ok && v.bad_id != bad_id))
		fail_msg("verdict ok=%d bad=%llu (%s), wanted ok=%d bad=%llu",
		         v.ok, (unsigned long long)v.bad_id, v.what, ok,
		         (unsigned long long)bad_id);
}

/* Run SQL on a raw connection, with the append-only triggers out of the
 * way as an attacker would do; the triggers are restored afterwards
 * unless keep_off. */
static void tamper(struct fx *f, const char *sql, int keep_off)
{
	sqlite3 *db;
	char *err = NULL;
	char buf[2048];
	static const char off[] = "DROP TRIGGER audit_log_no_update;"
	                          "DROP TRIGGER audit_log_no_delete;";
	static const char on[] =
	    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
	    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
	    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";
	snprintf(buf, sizeof buf, "%s%s%s", off, sql, keep_off ? "" : on);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	if (sqlite3_exec(db, buf, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("tamper: %s", err);
	sqlite3_close(db);
}

static void test_append_and_list(void **state)
{
	struct fx *f = *state;
	struct store_audit_entry x, got;
	struct store_audit_verdict v;
	struct ls_errinfo e;

	verify(f, 1, 0); /* an empty log is intact */
	fill(f, 6);
	verify(f, 1, 0);
	assert_int_equal(store_audit_verify(f->s, 0, NULL, &v), LS_OK);
	assert_int_equal(v.entries, 6);
	assert_int_equal(v.head_id, 6);
	/* the release entry of a document */
	assert_int_equal(store_audit_find(f->s, "gent", 4, &got), LS_OK);
	assert_int_equal(got.kind, STORE_AUDIT_CORRECTION);
	assert_string_equal(got.note, "dubbel ingevoerd door partner X");
	assert_string_equal(got.reason, "invoerfout");
	assert_int_equal(got.cells[STORE_CELLS_PRIMARY], 7);
	assert_int_equal(got.period.month, 4);
	assert_int_equal(store_audit_find(f->s, "gent", 99, &got),
	                 LS_ENOTFOUND);
	/* the chain links entry 2 to entry 1 */
	{
		struct store_audit_entry one;
		uint8_t h[LS_HASH_BYTES];
		assert_int_equal(store_audit_find(f->s, "gent", 1, &one),
		                 LS_OK);
		assert_int_equal(store_audit_find(f->s, "gent", 2, &got),
		                 LS_OK);
		assert_memory_equal(got.prev, one.hash, LS_HASH_BYTES);
		store_audit_hash(&got, h);
		assert_memory_equal(h, got.hash, LS_HASH_BYTES);
	}
	/* a document goes to a peer once */
	memset(&x, 0, sizeof x);
	x.at = T_NOW;
	x.kind = STORE_AUDIT_SENT;
	strcpy(x.actor, "signaald");
	strcpy(x.origin, "gent");
	x.seq = 1;
	strcpy(x.peer, "kortrijk");
	assert_int_equal(store_audit_append(f->s, &x, &e), LS_EEXISTS);
	strcpy(x.peer, "eeklo");
	assert_int_equal(store_audit_append(f->s, &x, &e), LS_OK);
	verify(f, 1, 0);
}

static void test_bad_entries_change_nothing(void **state)
{
	struct fx *f = *state;
	struct store_audit_entry x;
	struct ls_errinfo e;
	char before[65], after[65];
	char longnote[STORE_AUDIT_NOTE_MAX + 1];

	fill(f, 2);
	fx_digest(f->path, before);
#define BAD(mutate)                                                            \
	do {                                                                   \
		release_entry(&x, 3, 3);                                       \
		mutate;                                                        \
		assert_int_equal(store_audit_append(f->s, &x, &e), LS_EINVAL); \
	} while (0)
	BAD(x.kind = 0);
	BAD(x.kind = 4);
	BAD(x.actor[0] = '\0');
	BAD(strcpy(x.actor, "a\nb"));
	BAD(strcpy(x.actor, "dpo\xe2\x80\xae")); /* U+202E (RLO) */
	BAD(strcpy(x.actor, "\xe2\x81\xa6" "dpo")); /* U+2066 (LRI) */
	BAD(strcpy(x.origin, "-gent"));
	BAD(x.seq = 0);
	BAD(x.period.month = 13);
	BAD(x.params.k = 2);
	BAD(strcpy(x.reason, "invoerfout"));  /* a release has no reason */
	BAD(strcpy(x.note, "toelichting"));   /* ... nor justification */
	BAD(strcpy(x.peer, "kortrijk"));      /* ... nor destination */
	BAD(x.kind = STORE_AUDIT_CORRECTION); /* no reason, no note */
	BAD({
		x.kind = STORE_AUDIT_CORRECTION;
		x.supersedes = 1;
		strcpy(x.reason, "invoerfout");
	}); /* no justification */
	BAD({
		x.kind = STORE_AUDIT_CORRECTION;
		x.supersedes = 3; /* itself */
		strcpy(x.reason, "invoerfout");
		strcpy(x.note, "x");
	});
	BAD({
		x.kind = STORE_AUDIT_CORRECTION;
		x.supersedes = 1;
		strcpy(x.reason, "Invoer fout");
		strcpy(x.note, "x");
	});
	BAD({
		x.kind = STORE_AUDIT_CORRECTION;
		x.supersedes = 1;
		strcpy(x.reason, "invoerfout");
		strcpy(x.note, "\x01");
	});
	BAD({
		x.kind = STORE_AUDIT_SENT;
		memset(&x.period, 0, sizeof x.period);
	}); /* sent to no one */
	BAD({
		x.kind = STORE_AUDIT_CORRECTION;
		x.supersedes = 1;
		strcpy(x.reason, "invoerfout");
		memset(longnote, 'a', sizeof longnote);
		memcpy(x.note, longnote, sizeof x.note); /* no NUL */
	});
#undef BAD
	fx_digest(f->path, after);
	assert_string_equal(before, after);
}

static void test_append_only(void **state)
{
	struct fx *f = *state;
	sqlite3 *db;
	fill(f, 3);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db,
	                                  "UPDATE audit_log SET actor = 'x' "
	                                  "WHERE id = 2",
	                                  NULL, NULL, NULL),
	                     SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db,
	                                  "DELETE FROM audit_log WHERE id = 3",
	                                  NULL, NULL, NULL),
	                     SQLITE_OK);
	sqlite3_close(db);
	verify(f, 1, 0);
}

/* A fresh store with a log of n entries. */
static struct fx *fresh(void **state, int n)
{
	fx_teardown(state);
	fx_setup(state);
	fill(*state, n);
	return *state;
}

static void test_tamper_content(void **state)
{
	static const struct {
		const char *sql;
		uint64_t bad;
	} cases[] = {
	    /* one byte of a blob */
	    {"UPDATE audit_log SET doc_hash = substr(doc_hash, 1, 9) || "
	     "x'ff' || substr(doc_hash, 11) WHERE id = 5;",
	     5},
	    /* an integer: one more suppressed cell */
	    {"UPDATE audit_log SET n_primary = n_primary + 1 WHERE id = 3;", 3},
	    /* a text */
	    {"UPDATE audit_log SET note = 'andere uitleg' WHERE id = 8;", 8},
	    {"UPDATE audit_log SET actor = 'iemand' WHERE id = 1;", 1},
	    /* a value the struct cannot even hold */
	    {"UPDATE audit_log SET period = '2025-13' WHERE id = 2;", 2},
	    {"UPDATE audit_log SET secret_id = x'00' WHERE id = 6;", 6},
	    /* the hash itself */
	    {"UPDATE audit_log SET hash = zeroblob(32) WHERE id = 7;", 7},
	};
	struct fx *f;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		f = fresh(state, 8);
		tamper(f, cases[i].sql, 0);
		verify(f, 0, cases[i].bad);
	}
	/* rehashing the changed entry does not help: the next one no
	 * longer follows it */
	f = fresh(state, 8);
	tamper(f, "UPDATE audit_log SET at = at + 1 WHERE id = 4;", 0);
	{
		struct store_audit_entry x;
		uint8_t h[LS_HASH_BYTES];
		char sql[256], hex[65];
		assert_int_equal(store_audit_find(f->s, "gent", 4, &x), LS_OK);
		store_audit_hash(&x, h);
		sodium_bin2hex(hex, sizeof hex, h, sizeof h);
		snprintf(sql, sizeof sql,
		         "UPDATE audit_log SET hash = x'%s' WHERE id = 4;",
		         hex);
		tamper(f, sql, 0);
	}
	verify(f, 0, 5);
}

static void test_tamper_structure(void **state)
{
	struct fx *f = *state;
	/* deletion in the middle */
	fill(f, 6);
	tamper(f, "DELETE FROM audit_log WHERE id = 3;", 0);
	verify(f, 0, 3);
	/* deletion and renumbering: the chain breaks at the gap */
	f = fresh(state, 6);
	tamper(f,
	       "DELETE FROM audit_log WHERE id = 3;"
	       "UPDATE audit_log SET id = id - 1 WHERE id > 3;",
	       0);
	verify(f, 0, 3);
	/* the first entry deleted */
	f = fresh(state, 4);
	tamper(f, "DELETE FROM audit_log WHERE id = 1;", 0);
	verify(f, 0, 1);
	/* insertion: a copy of entry 2 as an extra entry 3 */
	f = fresh(state, 5);
	tamper(f,
	       "UPDATE audit_log SET id = id + 100 WHERE id >= 3;"
	       "UPDATE audit_log SET id = id - 99 WHERE id >= 100;"
	       "INSERT INTO audit_log SELECT 3, at, kind, actor, origin, seq, "
	       "doc_hash, period, mode, k, epsilon_milli, withhold_below, "
	       "persons_cap, supersedes, reason, cost_milli, spent_milli, "
	       "budget_milli, n_released, n_primary, n_zero_hidden, "
	       "n_complementary, n_noisy, n_withheld, secret_id, note, peer, "
	       "prev, hash FROM audit_log WHERE id = 2;",
	       0);
	verify(f, 0, 3);
	/* reordering: entries 2 and 3 swap places */
	f = fresh(state, 5);
	tamper(f,
	       "UPDATE audit_log SET id = 100 WHERE id = 2;"
	       "UPDATE audit_log SET id = 2 WHERE id = 3;"
	       "UPDATE audit_log SET id = 3 WHERE id = 100;",
	       0);
	verify(f, 0, 2);
	/* triggers removed: reported even if no entry changed */
	f = fresh(state, 2);
	tamper(f, "", 1);
	verify(f, 0, 0);
}

static void test_anchor(void **state)
{
	struct fx *f = *state;
	struct store_audit_verdict v, now;
	uint8_t anchor[LS_HASH_BYTES];

	fill(f, 5);
	assert_int_equal(store_audit_verify(f->s, 0, NULL, &v), LS_OK);
	memcpy(anchor, v.head_hash, sizeof anchor);
	/* the DPO noted (5, hash); more entries later keep it valid */
	{
		struct store_audit_entry x;
		struct ls_errinfo e;
		release_entry(&x, 6, 6);
		assert_int_equal(store_audit_append(f->s, &x, &e), LS_OK);
		assert_int_equal(x.id, 6);
	}
	assert_int_equal(store_audit_verify(f->s, 5, anchor, &now), LS_OK);
	assert_true(now.ok);
	anchor[0] ^= 1;
	assert_int_equal(store_audit_verify(f->s, 5, anchor, &now), LS_OK);
	assert_false(now.ok);
	assert_int_equal(now.bad_id, 5);
	anchor[0] ^= 1;
	/* the log cut back to 3 entries: a valid chain, but the anchor
	 * is gone */
	tamper(f, "DELETE FROM audit_log WHERE id > 3;", 0);
	/* (the cut log chains on from 3: append works, verify is happy
	 * without the anchor) */
	assert_int_equal(store_audit_verify(f->s, 0, NULL, &now), LS_OK);
	assert_true(now.ok);
	assert_int_equal(store_audit_verify(f->s, 5, anchor, &now), LS_OK);
	assert_false(now.ok);
	assert_non_null(strstr(now.what, "ingekort"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_append_and_list, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_bad_entries_change_nothing,
	                                    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_append_only, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_tamper_content, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_tamper_structure, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_anchor, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
