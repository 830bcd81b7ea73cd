/*
 * The hash-chained audit log (see audit.h).
 *
 * Append: check the entry, read the head (the entry with the highest id),
 * set id = head + 1 and prev = the head's hash, hash the encoding, insert
 * — in one transaction, so two appenders never chain to the same head.
 * Verify: walk every entry in id order recomputing the chain; the first
 * entry that does not fit is reported with what is wrong with it.
 *
 * The encoding the hash covers (docs/DISCLOSURE.md repeats it for anyone
 * who wants to check the log with their own tool): the ASCII tag
 * "ls-audit-v1", then every field in a fixed order, integers big-endian
 * (u8/u32/u64; times as two's-complement u64), byte strings of fixed
 * length as they are, texts as a u32 length and their bytes.
 */
#include "store/audit.h"
#include "store/internal.h"

#include "common/text.h"
#include "core/disclosure.h"
#include "core/period.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const uint8_t zero_hash[LS_HASH_BYTES];

const char *store_audit_kind_name(int kind)
{
	switch (kind) {
	case STORE_AUDIT_RELEASE:
		return "vrijgave";
	case STORE_AUDIT_CORRECTION:
		return "correctie";
	case STORE_AUDIT_SENT:
		return "verzonden";
	default:
		return "?";
	}
}

/* ---- the chain rule -------------------------------------------------- */

static void put_u64(crypto_generichash_state *h, uint64_t v)
{
	uint8_t b[8];
	for (int i = 7; i >= 0; i--) {
		b[i] = (uint8_t)v;
		v >>= 8;
	}
	crypto_generichash_update(h, b, sizeof b);
}

static void put_u32(crypto_generichash_state *h, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16),
	                (uint8_t)(v >> 8), (uint8_t)v};
	crypto_generichash_update(h, b, sizeof b);
}

static void put_u8(crypto_generichash_state *h, uint8_t v)
{
	crypto_generichash_update(h, &v, 1);
}

static void put_str(crypto_generichash_state *h, const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	put_u32(h, (uint32_t)n);
	crypto_generichash_update(h, (const uint8_t *)s, n);
}

/* The period as the log stores it: "" when there is none. */
static void period_text(const struct ls_period *p, char out[LS_PERIOD_SIZE])
{
	if (p->year == 0 && p->month == 0 && p->months == 0)
		out[0] = '\0';
	else
		ls_period_format(p, out);
}

void store_audit_hash(const struct store_audit_entry *x,
                      uint8_t out[LS_HASH_BYTES])
{
	static const char tag[] = "ls-audit-v1";
	crypto_generichash_state h;
	char period[LS_PERIOD_SIZE];

	crypto_generichash_init(&h, NULL, 0, LS_HASH_BYTES);
	crypto_generichash_update(&h, (const uint8_t *)tag, sizeof tag - 1);
	put_u64(&h, x->id);
	crypto_generichash_update(&h, x->prev, LS_HASH_BYTES);
	put_u64(&h, (uint64_t)x->at);
	put_u8(&h, x->kind);
	put_str(&h, x->actor, sizeof x->actor);
	put_str(&h, x->origin, sizeof x->origin);
	put_u64(&h, x->seq);
	crypto_generichash_update(&h, x->doc_hash, LS_HASH_BYTES);
	period_text(&x->period, period);
	put_str(&h, period, sizeof period);
	put_u8(&h, x->params.mode);
	put_u32(&h, x->params.k);
	put_u32(&h, x->params.epsilon_milli);
	put_u32(&h, x->params.withhold_below);
	put_u32(&h, x->params.persons_cap);
	put_u64(&h, x->supersedes);
	put_str(&h, x->reason, sizeof x->reason);
	put_u64(&h, x->cost_milli);
	put_u64(&h, x->spent_milli);
	put_u64(&h, x->budget_milli);
	for (int i = 0; i < STORE_CELLS_COUNT_; i++)
		put_u32(&h, x->cells[i]);
	put_u8(&h, x->has_secret_id ? 1 : 0);
	if (x->has_secret_id)
		crypto_generichash_update(&h, x->secret_id,
		                          STORE_AUDIT_SECRET_ID_BYTES);
	else
		crypto_generichash_update(&h, zero_hash,
		                          STORE_AUDIT_SECRET_ID_BYTES);
	put_str(&h, x->note, sizeof x->note);
	put_str(&h, x->peer, sizeof x->peer);
	crypto_generichash_final(&h, out, LS_HASH_BYTES);
}

/* ---- reading rows ---------------------------------------------------- */

#define AUDIT_COLS                                                             \
	"id, at, kind, actor, origin, seq, doc_hash, period, mode, k, "        \
	"epsilon_milli, withhold_below, persons_cap, supersedes, reason, "     \
	"cost_milli, spent_milli, budget_milli, n_released, n_primary, "       \
	"n_zero_hidden, n_complementary, n_noisy, n_withheld, secret_id, "     \
	"note, peer, prev, hash"

static void text_col(sqlite3_stmt *st, int col, char *dst, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	size_t n = (size_t)sqlite3_column_bytes(st, col);
	/* A value longer than the field can only come from tampering; it
	 * is cut, and the hash no longer matches. */
	if (n >= size)
		n = size - 1;
	if (t != NULL)
		memcpy(dst, t, n);
	dst[n] = '\0';
}

static void blob_col(sqlite3_stmt *st, int col, uint8_t *dst, size_t size)
{
	const void *b = sqlite3_column_blob(st, col);
	size_t n = (size_t)sqlite3_column_bytes(st, col);
	memset(dst, 0, size);
	if (b != NULL)
		memcpy(dst, b, n < size ? n : size);
}

/* Read a row. Returns 0 if a column is malformed in a way the struct
 * cannot hold (wrong blob length, unparsable period): tampering. */
static int entry_read(sqlite3_stmt *st, struct store_audit_entry *x)
{
	char period[LS_PERIOD_SIZE + 8];
	int ok = 1;
	memset(x, 0, sizeof *x);
	x->id = (uint64_t)sqlite3_column_int64(st, 0);
	x->at = sqlite3_column_int64(st, 1);
	x->kind = (uint8_t)sqlite3_column_int(st, 2);
	text_col(st, 3, x->actor, sizeof x->actor);
	text_col(st, 4, x->origin, sizeof x->origin);
	x->seq = (uint64_t)sqlite3_column_int64(st, 5);
	ok &= sqlite3_column_bytes(st, 6) == LS_HASH_BYTES;
	blob_col(st, 6, x->doc_hash, LS_HASH_BYTES);
	text_col(st, 7, period, sizeof period);
	if (period[0] != '\0' && ls_period_parse(period, &x->period) != LS_OK)
		ok = 0;
	x->params.mode = (uint8_t)sqlite3_column_int(st, 8);
	x->params.k = (uint32_t)sqlite3_column_int64(st, 9);
	x->params.epsilon_milli = (uint32_t)sqlite3_column_int64(st, 10);
	x->params.withhold_below = (uint32_t)sqlite3_column_int64(st, 11);
	x->params.persons_cap = (uint32_t)sqlite3_column_int64(st, 12);
	x->supersedes = (uint64_t)sqlite3_column_int64(st, 13);
	text_col(st, 14, x->reason, sizeof x->reason);
	x->cost_milli = (uint64_t)sqlite3_column_int64(st, 15);
	x->spent_milli = (uint64_t)sqlite3_column_int64(st, 16);
	x->budget_milli = (uint64_t)sqlite3_column_int64(st, 17);
	for (int i = 0; i < STORE_CELLS_COUNT_; i++)
		x->cells[i] = (uint32_t)sqlite3_column_int64(st, 18 + i);
	if (sqlite3_column_type(st, 24) != SQLITE_NULL) {
		ok &=
		    sqlite3_column_bytes(st, 24) == STORE_AUDIT_SECRET_ID_BYTES;
		x->has_secret_id = 1;
		blob_col(st, 24, x->secret_id, STORE_AUDIT_SECRET_ID_BYTES);
	}
	text_col(st, 25, x->note, sizeof x->note);
	text_col(st, 26, x->peer, sizeof x->peer);
	ok &= sqlite3_column_bytes(st, 27) == LS_HASH_BYTES;
	blob_col(st, 27, x->prev, LS_HASH_BYTES);
	ok &= sqlite3_column_bytes(st, 28) == LS_HASH_BYTES;
	blob_col(st, 28, x->hash, LS_HASH_BYTES);
	return ok;
}

/* ---- append ---------------------------------------------------------- */

static int text_ok(const char *s, size_t size, size_t min, int multiline)
{
	char why[160];
	size_t n = strnlen(s, size);
	if (n == size || n < min || !ls_utf8_valid(s, n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0x7f ||
		    (c < 0x20 && !(multiline && (c == '\n' || c == '\t'))))
			return 0;
	}
	/* nor bidirectional controls (common/text.h) */
	return ls_text_chars_flaw(s, n, multiline, why, sizeof why) == NULL;
}

static int node_id_ok(const char *s)
{
	return ls_node_id_valid(s, strnlen(s, LS_NODE_ID_SIZE));
}

/* What every entry has: its kind, who, the summary's origin and
 * sequence number, and numbers within SQLite's range. */
static int entry_check_common(const struct store_audit_entry *x,
                              struct ls_errinfo *e)
{
	if (x->kind < STORE_AUDIT_RELEASE || x->kind > STORE_AUDIT_SENT)
		return ls_errf(e, LS_EINVAL, "auditlog: onbekende soort %u",
		               (unsigned)x->kind);
	if (!text_ok(x->actor, sizeof x->actor, 1, 0))
		return ls_errf(e, LS_EINVAL,
		               "auditlog: wie (1 tot %d tekens, geen "
		               "stuurtekens) ontbreekt of is ongeldig",
		               STORE_AUDIT_ACTOR_MAX);
	if (!node_id_ok(x->origin) || x->seq == 0 ||
	    x->seq > (uint64_t)INT64_MAX)
		return ls_errf(e, LS_EINVAL,
		               "auditlog: ongeldige herkomst of volgnummer");
	if (x->at < 0 || x->cost_milli > (uint64_t)INT64_MAX ||
	    x->spent_milli > (uint64_t)INT64_MAX ||
	    x->budget_milli > (uint64_t)INT64_MAX ||
	    x->supersedes > (uint64_t)INT64_MAX)
		return ls_errf(e, LS_EINVAL, "auditlog: getal buiten bereik");
	return LS_OK;
}

/* A sending: to a peer, without reason or note. */
static int entry_check_sent(const struct store_audit_entry *x,
                            struct ls_errinfo *e)
{
	if (!node_id_ok(x->peer))
		return ls_errf(e, LS_EINVAL,
		               "auditlog: verzonden naar welke node?");
	if (x->note[0] != '\0' || x->reason[0] != '\0')
		return ls_errf(e, LS_EINVAL,
		               "auditlog: een verzending heeft geen "
		               "reden of toelichting");
	return LS_OK;
}

/* A correction: it supersedes an earlier release, with a reason code and
 * a note. */
static int entry_check_correction(const struct store_audit_entry *x,
                                  struct ls_errinfo *e)
{
	if (x->supersedes == 0 || x->supersedes >= x->seq ||
	    !ls_code_valid(x->reason, strnlen(x->reason, LS_CODE_SIZE)))
		return ls_errf(e, LS_EINVAL,
		               "auditlog: een correctie vervangt een eerdere "
		               "vrijgave en heeft een redencode");
	if (!text_ok(x->note, sizeof x->note, 1, 1))
		return ls_errf(e, LS_EINVAL,
		               "auditlog: een correctie heeft een toelichting "
		               "(1 tot %d bytes tekst)",
		               STORE_AUDIT_NOTE_MAX);
	return LS_OK;
}

static int entry_check(const struct store_audit_entry *x, struct ls_errinfo *e)
{
	int rc;
	if ((rc = entry_check_common(x, e)) != LS_OK)
		return rc;
	if (x->kind == STORE_AUDIT_SENT)
		return entry_check_sent(x, e);

	/* A release or a correction: of a period, with its parameters. */
	if (x->peer[0] != '\0')
		return ls_errf(e, LS_EINVAL,
		               "auditlog: een vrijgave heeft geen bestemming");
	if (ls_period_check(&x->period) != LS_OK)
		return ls_errf(e, LS_EINVAL, "auditlog: ongeldige periode");
	if (ls_disclosure_params_check(&x->params, NULL) != LS_OK)
		return ls_errf(e, LS_EINVAL, "auditlog: ongeldige parameters");
	if (x->kind == STORE_AUDIT_RELEASE) {
		if (x->supersedes != 0 || x->reason[0] != '\0' ||
		    x->note[0] != '\0')
			return ls_errf(e, LS_EINVAL,
			               "auditlog: een eerste vrijgave vervangt "
			               "niets en heeft geen reden of "
			               "toelichting");
		return LS_OK;
	}
	return entry_check_correction(x, e);
}

static int head_get(struct store *s, uint64_t *id, uint8_t hash[LS_HASH_BYTES])
{
	static const char sql[] =
	    "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *st;
	int rc = store_stmt(s, sql, &st);
	if (rc != LS_OK)
		return rc;
	rc = sqlite3_step(st);
	*id = 0;
	memset(hash, 0, LS_HASH_BYTES);
	if (rc == SQLITE_ROW) {
		*id = (uint64_t)sqlite3_column_int64(st, 0);
		blob_col(st, 1, hash, LS_HASH_BYTES);
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, "audit_head");
}

static int append_in_tx(struct store *s, struct store_audit_entry *x,
                        struct ls_errinfo *e)
{
	static const char sql[] =
	    "INSERT INTO audit_log (" AUDIT_COLS ") VALUES (?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?)";
	char period[LS_PERIOD_SIZE];
	uint64_t head;
	sqlite3_stmt *st;
	int rc;

	if ((rc = head_get(s, &head, x->prev)) != LS_OK)
		return ls_errf(e, rc, "kan het auditlog niet lezen");
	x->id = head + 1;
	store_audit_hash(x, x->hash);
	if ((rc = store_stmt(s, sql, &st)) != LS_OK)
		return ls_errf(e, rc, "interne fout");
	period_text(&x->period, period);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)x->id);
	sqlite3_bind_int64(st, 2, x->at);
	sqlite3_bind_int(st, 3, x->kind);
	sqlite3_bind_text(st, 4, x->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, x->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)x->seq);
	sqlite3_bind_blob(st, 7, x->doc_hash, LS_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, period, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 9, x->params.mode);
	sqlite3_bind_int64(st, 10, x->params.k);
	sqlite3_bind_int64(st, 11, x->params.epsilon_milli);
	sqlite3_bind_int64(st, 12, x->params.withhold_below);
	sqlite3_bind_int64(st, 13, x->params.persons_cap);
	sqlite3_bind_int64(st, 14, (sqlite3_int64)x->supersedes);
	sqlite3_bind_text(st, 15, x->reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 16, (sqlite3_int64)x->cost_milli);
	sqlite3_bind_int64(st, 17, (sqlite3_int64)x->spent_milli);
	sqlite3_bind_int64(st, 18, (sqlite3_int64)x->budget_milli);
	for (int i = 0; i < STORE_CELLS_COUNT_; i++)
		sqlite3_bind_int64(st, 19 + i, x->cells[i]);
	if (x->has_secret_id)
		sqlite3_bind_blob(st, 25, x->secret_id,
		                  STORE_AUDIT_SECRET_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 26, x->note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 27, x->peer, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 28, x->prev, LS_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 29, x->hash, LS_HASH_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE && x->kind == STORE_AUDIT_SENT)
		return ls_errf(e, LS_EEXISTS,
		               "auditlog: verzending van %s %llu naar %s staat "
		               "er al",
		               x->origin, (unsigned long long)x->seq, x->peer);
	if (rc != SQLITE_DONE)
		return ls_errf(e, store_err(s, rc, "audit_append"),
		               "kan niet schrijven in het auditlog");
	return LS_OK;
}

int store_audit_append(struct store *s, struct store_audit_entry *x,
                       struct ls_errinfo *e)
{
	int owned, rc = entry_check(x, e);
	if (rc != LS_OK)
		return rc;
	if ((rc = store_tx_enter(s, &owned)) != LS_OK)
		return ls_errf(e, rc, "databank bezet");
	rc = append_in_tx(s, x, e);
	return store_tx_end(s, owned, rc);
}

/* ---- reading --------------------------------------------------------- */

int store_audit_list(struct store *s, uint64_t from_id, store_audit_cb cb,
                     void *arg)
{
	static const char sql[] =
	    "SELECT " AUDIT_COLS " FROM audit_log WHERE id >= ? ORDER BY id";
	sqlite3_stmt *st;
	int rc;

	if (from_id > (uint64_t)INT64_MAX)
		return LS_EINVAL;
	if ((rc = store_stmt(s, sql, &st)) != LS_OK)
		return rc;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)from_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_audit_entry x;
		int stop;
		(void)entry_read(st, &x);
		if ((stop = cb(arg, &x)) != 0) {
			sqlite3_reset(st);
			return stop;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, "audit_list");
}

int store_audit_find(struct store *s, const char *origin, uint64_t seq,
                     struct store_audit_entry *out)
{
	static const char sql[] =
	    "SELECT " AUDIT_COLS " FROM audit_log WHERE origin = ? AND seq = ? "
	    "AND kind IN (1, 2) ORDER BY id LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	if (!node_id_ok(origin) || seq > (uint64_t)INT64_MAX)
		return LS_EINVAL;
	if ((rc = store_stmt(s, sql, &st)) != LS_OK)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		(void)entry_read(st, out);
		sqlite3_reset(st);
		return LS_OK;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_ENOTFOUND
	                         : store_err(s, rc, "audit_find");
}

/* ---- verification ---------------------------------------------------- */

static int verdict_fail(struct store_audit_verdict *v, uint64_t id,
                        const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int verdict_fail(struct store_audit_verdict *v, uint64_t id,
                        const char *fmt, ...)
{
	va_list ap;
	if (!v->ok)
		return 0; /* keep the first fault */
	v->ok = 0;
	v->bad_id = id;
	va_start(ap, fmt);
	vsnprintf(v->what, sizeof v->what, fmt, ap);
	va_end(ap);
	return 0;
}

static int triggers_present(struct store *s, int *present)
{
	static const char sql[] =
	    "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND "
	    "tbl_name = 'audit_log' AND name IN ('audit_log_no_update', "
	    "'audit_log_no_delete')";
	sqlite3_stmt *st;
	int64_t n;
	int rc = store_stmt(s, sql, &st);
	if (rc != LS_OK ||
	    (rc = store_one_row(s, st, &n, 1, "audit_triggers")) != LS_OK)
		return rc;
	*present = n == 2;
	return LS_OK;
}

int store_audit_verify(struct store *s, uint64_t anchor_id,
                       const uint8_t anchor_hash[LS_HASH_BYTES],
                       struct store_audit_verdict *v)
{
	static const char sql[] =
	    "SELECT " AUDIT_COLS " FROM audit_log ORDER BY id";
	uint8_t prev[LS_HASH_BYTES], want[LS_HASH_BYTES];
	int own = sqlite3_get_autocommit(s->db), anchor_seen = 0, triggers = 0;
	sqlite3_stmt *st;
	int rc;

	memset(v, 0, sizeof *v);
	v->ok = 1;
	memcpy(prev, zero_hash, LS_HASH_BYTES);
	/* One read snapshot for the whole walk (a deferred transaction:
	 * writers are not held up). */
	if (own && (rc = store_exec(s, "BEGIN")) != LS_OK)
		return rc;
	if ((rc = store_stmt(s, sql, &st)) != LS_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_audit_entry x;
		uint64_t expect = v->entries + 1;
		int shape = entry_read(st, &x);
		v->entries++;
		if (!shape) {
			verdict_fail(v, x.id,
			             "regel %llu is beschadigd (een veld heeft "
			             "een onmogelijke vorm)",
			             (unsigned long long)x.id);
		} else if (x.id != expect) {
			verdict_fail(v, x.id > expect ? expect : x.id,
			             x.id > expect
			                 ? "regel %llu ontbreekt (na regel "
			                   "%llu volgt %llu): verwijderd"
			                 : "regel %llu staat op de verkeerde "
			                   "plaats (na %llu volgt %llu)",
			             (unsigned long long)expect,
			             (unsigned long long)expect - 1,
			             (unsigned long long)x.id);
		} else if (memcmp(x.prev, prev, LS_HASH_BYTES) != 0) {
			verdict_fail(v, x.id,
			             "regel %llu sluit niet aan op regel %llu: "
			             "ingevoegd, verwijderd of van plaats "
			             "veranderd",
			             (unsigned long long)x.id,
			             (unsigned long long)x.id - 1);
		} else {
			store_audit_hash(&x, want);
			if (memcmp(want, x.hash, LS_HASH_BYTES) != 0)
				verdict_fail(v, x.id,
				             "de inhoud van regel %llu is "
				             "gewijzigd (de hash klopt niet)",
				             (unsigned long long)x.id);
		}
		if (anchor_id != 0 && x.id == anchor_id) {
			anchor_seen = 1;
			if (memcmp(x.hash, anchor_hash, LS_HASH_BYTES) != 0)
				verdict_fail(
				    v, x.id,
				    "regel %llu heeft niet de hash van "
				    "het anker: het log is herschreven",
				    (unsigned long long)x.id);
		}
		/* Chain on to the stored hash, so one changed entry is
		 * reported once, not as every entry after it. */
		memcpy(prev, x.hash, LS_HASH_BYTES);
		v->head_id = x.id;
		memcpy(v->head_hash, x.hash, LS_HASH_BYTES);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = store_err(s, rc, "audit_verify");
		goto out;
	}
	if (anchor_id != 0 && !anchor_seen)
		verdict_fail(v, anchor_id,
		             "regel %llu van het anker bestaat niet meer: het "
		             "log is ingekort",
		             (unsigned long long)anchor_id);
	if ((rc = triggers_present(s, &triggers)) != LS_OK)
		goto out;
	if (!triggers)
		verdict_fail(v, 0,
		             "de beveiliging die wijzigen en wissen weigert "
		             "(triggers op audit_log) is verwijderd");
out:
	if (own)
		(void)store_exec(s, "COMMIT");
	return rc;
}
