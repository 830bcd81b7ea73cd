/*
 * The ledger from the own feed (see ledger.h). Happy path: list the seqs
 * of origin's summaries in the feed (a read walk, collected first so that
 * no statement is open while writing), and for each one the ledger does
 * not hold: decode it, add its ledger row without the budget check
 * (store_ledger_recover) and append its audit entry. All in one
 * transaction, so a failure leaves the ledger as it was.
 */
#include "node/ledger.h"

#include "common/alloc.h"
#include "common/log.h"
#include "core/noise.h"
#include "core/period.h"
#include "node/feed.h"
#include "proto/doc.h"
#include "store/audit.h"
#include "store/feed.h"
#include "store/ledger.h"

#include <stdio.h>
#include <string.h>

struct seqs {
	uint64_t *v;
	size_t n, cap;
	int failed;
};

static int seq_cb(void *arg, const struct store_doc_meta *m,
                  const uint8_t *envelope, size_t len)
{
	struct seqs *q = arg;
	uint64_t *v;
	(void)envelope;
	(void)len;
	v = ls_array_grow(q->v, &q->cap, q->n + 1, sizeof *v, 64);
	if (v == NULL) {
		q->failed = 1;
		return LS_ENOMEM;
	}
	q->v = v;
	q->v[q->n++] = m->seq;
	return 0;
}

/* Released cells by kind, as far as a published summary shows them. */
static void count_cells(const struct ls_summary *s, uint32_t *cells)
{
	const struct ls_cell *c[2];
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		for (size_t i = 0; i < s->tables[t].n_rows; i++) {
			c[0] = &s->tables[t].rows[i].signals;
			c[1] = &s->tables[t].rows[i].persons;
			for (int k = 0; k < 2; k++)
				cells[c[k]->kind == LS_CELL_EXACT
				          ? STORE_CELLS_RELEASED
				      : c[k]->kind == LS_CELL_NOISY
				          ? STORE_CELLS_NOISY
				      : c[k]->kind == LS_CELL_WITHHELD
				          ? STORE_CELLS_WITHHELD
				          : STORE_CELLS_PRIMARY]++;
		}
}

/* One summary of the feed into the ledger and the audit log. */
static int recover_one(struct store *s, const char *origin, uint64_t seq,
                       uint64_t budget_milli, int64_t now, struct ls_errinfo *e)
{
	struct store_ledger_entry x, first;
	struct store_audit_entry ax;
	struct store_doc_meta m;
	struct ls_doc doc;
	const struct ls_summary *sum;
	char text[LS_PERIOD_SIZE];
	int rc;

	memset(&doc, 0, sizeof doc);
	if ((rc = store_feed_get(s, origin, seq, &m, NULL, NULL)) != LS_OK ||
	    (rc = node_feed_read(s, origin, seq, &doc, e)) != LS_OK)
		goto out;
	if (doc.hdr.type != LS_DOC_SUMMARY) {
		rc = ls_errf(e, LS_ECORRUPT,
		             "document %llu is geen samenvatting",
		             (unsigned long long)seq);
		goto out;
	}
	sum = &doc.body.summary;
	memset(&x, 0, sizeof x);
	memcpy(x.origin, origin, strlen(origin) + 1);
	x.seq = seq;
	x.period = sum->period;
	x.supersedes = sum->supersedes_seq;
	x.mode = sum->params.mode;
	x.epsilon_milli = sum->params.epsilon_milli;
	x.cost_milli = ls_noise_release_cost(&sum->params);
	x.budget_milli = budget_milli;
	x.at = m.created;
	rc = store_ledger_recover(s, &x, e);
	if (rc == LS_EEXISTS && x.supersedes == 0 &&
	    store_ledger_find(s, origin, &x.period, &first) == LS_OK) {
		/* A second first release of the period (an older version
		 * released a restored period again): paid all the same. */
		x.supersedes = first.seq;
		rc = store_ledger_recover(s, &x, e);
	}
	if (rc != LS_OK)
		goto out;

	memset(&ax, 0, sizeof ax);
	ax.at = now;
	ax.kind =
	    sum->supersedes_seq ? STORE_AUDIT_CORRECTION : STORE_AUDIT_RELEASE;
	snprintf(ax.actor, sizeof ax.actor, "%s", NODE_LEDGER_ACTOR);
	memcpy(ax.origin, origin, strlen(origin) + 1);
	ax.seq = seq;
	memcpy(ax.doc_hash, m.hash, LS_HASH_BYTES);
	ax.period = sum->period;
	ax.params = sum->params;
	ax.supersedes = sum->supersedes_seq;
	if (sum->supersedes_seq) {
		snprintf(ax.reason, sizeof ax.reason, "%s",
		         sum->correction_reason);
		snprintf(ax.note, sizeof ax.note,
		         "na een herstel uit de eigen feed teruggevonden; "
		         "de toelichting van de correctie is verloren");
	}
	ax.cost_milli = x.cost_milli;
	if ((rc = store_ledger_spent(s, x.period.year, &ax.spent_milli)) !=
	    LS_OK)
		goto out;
	ax.budget_milli = budget_milli;
	count_cells(sum, ax.cells);
	if ((rc = store_audit_append(s, &ax, e)) != LS_OK)
		goto out;
	ls_period_format(&x.period, text);
	LS_WARN("release", "ledger_recovered",
	        "origin=%s seq=%llu period=%s cost_milli=%llu", origin,
	        (unsigned long long)seq, text,
	        (unsigned long long)x.cost_milli);
out:
	proto_doc_fini(&doc);
	return rc;
}

static int recover_in_tx(struct store *s, const char *origin,
                         uint64_t budget_milli, int64_t now, size_t *n,
                         struct ls_errinfo *e)
{
	struct seqs q = {0};
	int rc = store_feed_list(s, LS_DOC_SUMMARY, origin, seq_cb, &q);
	if (rc != LS_OK || q.failed) {
		rc = ls_errf(e, q.failed ? LS_ENOMEM : rc,
		             "kan de eigen feed niet lezen");
		goto out;
	}
	for (size_t i = 0; i < q.n; i++) {
		struct store_ledger_entry x;
		rc = store_ledger_get(s, origin, q.v[i], &x);
		if (rc == LS_OK)
			continue;
		if (rc != LS_ENOTFOUND) {
			rc = ls_errf(e, rc, "kan het grootboek niet lezen");
			goto out;
		}
		if ((rc = recover_one(s, origin, q.v[i], budget_milli, now,
		                      e)) != LS_OK)
			goto out;
		(*n)++;
	}
	rc = LS_OK;
out:
	ls_free(q.v);
	return rc;
}

int node_ledger_recover(struct store *s, const char *origin,
                        uint64_t budget_milli, int64_t now, size_t *n,
                        struct ls_errinfo *e)
{
	size_t got = 0;
	int owned, rc;

	if (n != NULL)
		*n = 0;
	if (origin == NULL ||
	    !ls_node_id_valid(origin, strnlen(origin, LS_NODE_ID_SIZE)))
		return ls_errf(e, LS_EINVAL, "ongeldige knooppunt-id");
	owned = !store_in_tx(s);
	if (owned && (rc = store_tx_begin(s)) != LS_OK)
		return ls_errf(e, rc, "databank bezet");
	rc = recover_in_tx(s, origin, budget_milli, now, &got, e);
	if (owned && rc == LS_OK && (rc = store_tx_commit(s)) != LS_OK)
		ls_errf(e, rc, "bewaren mislukt");
	if (owned && rc != LS_OK)
		store_tx_rollback(s);
	if (rc == LS_OK && n != NULL)
		*n = got;
	return rc;
}
