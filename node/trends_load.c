/*
 * Loading for the trends: the store lists documents in (origin, seq)
 * order, so one origin's summaries arrive together and later ones after
 * earlier ones. Each is decoded; those of the window are kept per period
 * (a later document of the same period replaces the earlier: a
 * correction), and when the next origin starts, the kept ones go to
 * ls_trends_add. Memory is one origin's window of summaries at a time.
 *
 * Then the federation summaries (type 7) of the window: one per period
 * (fed_load below) goes to ls_trends_add_federation, which makes it the
 * federation series of that period; the listed sources include it.
 *
 * The callbacks never call back into the store (store/feed.h forbids
 * it); ls_trends_add and ls_structural_add are pure.
 */
#include "node/trends_load.h"

#include "core/config.h"
#include "common/alloc.h"
#include "core/period.h"
#include "node/feed.h"
#include "proto/doc.h"
#include "store/feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(STRUCTURAL_HEADLINE_MAX == LS_HEADLINE_MAX,
               "core/structural.h and proto/limits.h disagree");
_Static_assert(STRUCTURAL_DOSSIER_BYTES == LS_DOSSIER_ID_BYTES,
               "core/structural.h and proto/doc_note.h disagree");

static int selected(const struct node_trends_filter *f, const char *origin)
{
	if (f == NULL || f->n_origins == 0)
		return 1;
	for (size_t i = 0; i < f->n_origins; i++)
		if (strcmp(f->origins[i], origin) == 0)
			return 1;
	return 0;
}

/* One kept summary of the current origin. */
struct kept {
	struct trends_docref ref;
	struct ls_doc doc;
};

struct load {
	struct trends *t;
	const struct node_trends_filter *f;
	struct node_trends_report *r;
	struct ls_errinfo *e;
	struct ls_period first, last;
	char origin[LS_NODE_ID_SIZE];
	size_t n, cap;
	struct kept *kept;
	int rc;
};

/* A new slot at the end of *kept (n, cap grow); NULL when out of memory
 * (the list unchanged). */
static struct kept *kept_append(struct kept **kept, size_t *n, size_t *cap)
{
	struct kept *p = ls_array_grow(*kept, cap, *n + 1, sizeof *p, 32);
	if (p == NULL)
		return NULL;
	*kept = p;
	return &p[(*n)++];
}

/* Keep doc (ownership moves into k) as the document m names. */
static void kept_set(struct kept *k, const struct store_doc_meta *m,
                     const struct ls_doc *doc)
{
	memset(&k->ref, 0, sizeof k->ref);
	strcpy(k->ref.origin, m->origin);
	k->ref.seq = m->seq;
	memcpy(k->ref.hash, m->hash, LS_HASH_BYTES);
	k->doc = *doc;
}

static int cmp_kept(const void *a, const void *b)
{
	const struct ls_period *x =
	    &((const struct kept *)a)->doc.body.summary.period;
	const struct ls_period *y =
	    &((const struct kept *)b)->doc.body.summary.period;
	int32_t i = ls_month_index(x->year, x->month);
	int32_t j = ls_month_index(y->year, y->month);
	if (i != j)
		return i < j ? -1 : 1;
	return (x->months > y->months) - (x->months < y->months);
}

static void flush(struct load *l)
{
	if (l->n > 1)
		qsort(l->kept, l->n, sizeof *l->kept, cmp_kept);
	for (size_t i = 0; i < l->n; i++) {
		struct ls_errinfo why;
		enum trends_added added;
		int rc;
		ls_errinfo_clear(&why);
		rc = ls_trends_add(l->t, &l->kept[i].doc.body.summary,
		                   &l->kept[i].ref, &added, &why);
		if (rc == LS_ENOMEM && l->rc == LS_OK)
			l->rc = ls_errf(l->e, rc, "onvoldoende geheugen");
		else if (rc != LS_OK) {
			if (l->r->refused++ == 0)
				snprintf(l->r->first_refused,
				         sizeof l->r->first_refused,
				         "%s nr. %llu: %.200s",
				         l->kept[i].ref.origin,
				         (unsigned long long)l->kept[i].ref.seq,
				         why.msg);
		} else if (added == TRENDS_ADDED) {
			l->r->used++;
		} else {
			l->r->ignored++;
		}
		proto_doc_fini(&l->kept[i].doc);
	}
	l->n = 0;
}

/* Does a summary's period fall inside [first, last] (any alignment)?
 * Those outside are counted by ls_trends_add as ignored without keeping
 * them in memory. */
static int in_window(const struct load *l, const struct ls_period *p)
{
	int32_t i = ls_month_index(p->year, p->month);
	return i >= ls_month_index(l->first.year, l->first.month) &&
	       i <= ls_month_index(l->last.year, l->last.month);
}

/* Decode a stored document that must be of `type` (`kind` names it in
 * the message): 0, or l->rc set (out of memory, or the store is damaged)
 * with *doc freed. */
static int decode_stored(struct load *l, const struct store_doc_meta *m,
                         const uint8_t *envelope, size_t len, int type,
                         const char *kind, struct ls_doc *doc)
{
	struct ls_errinfo why;
	int rc;

	memset(doc, 0, sizeof *doc);
	rc = node_feed_decode(envelope, len, doc, &why);
	if (rc == LS_OK && doc->hdr.type == type)
		return 0;
	proto_doc_fini(doc);
	return l->rc = ls_errf(l->e, rc == LS_ENOMEM ? rc : LS_ECORRUPT,
	                       "document %s nr. %llu in de databank is "
	                       "onleesbaar: %s",
	                       m->origin, (unsigned long long)m->seq,
	                       rc == LS_OK ? kind : why.msg);
}

static int summary_cb(void *arg, const struct store_doc_meta *m,
                      const uint8_t *envelope, size_t len)
{
	struct load *l = arg;
	struct ls_doc doc;
	struct kept *k = NULL;

	if (strcmp(m->origin, l->origin) != 0) {
		flush(l);
		strcpy(l->origin, m->origin);
	}
	if (l->rc != LS_OK)
		return l->rc;
	l->r->docs++;
	if (m->uncounted != 0) { /* PROTOCOL.md 5.3: held, counted nowhere */
		l->r->uncounted++;
		return 0;
	}
	if (!selected(l->f, m->origin)) {
		l->r->filtered++;
		return 0;
	}
	if (decode_stored(l, m, envelope, len, LS_DOC_SUMMARY,
	                  "geen samenvatting", &doc) != 0)
		return l->rc;
	if (!in_window(l, &doc.body.summary.period)) {
		l->r->ignored++;
		proto_doc_fini(&doc);
		return 0;
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct ls_period *p = &l->kept[i].doc.body.summary.period;
		const struct ls_period *q = &doc.body.summary.period;
		if (p->year == q->year && p->month == q->month &&
		    p->months == q->months) {
			/* Listed in seq order: this one is later. */
			k = &l->kept[i];
			proto_doc_fini(&k->doc);
			l->r->superseded++;
			break;
		}
	}
	if (k == NULL && (k = kept_append(&l->kept, &l->n, &l->cap)) == NULL) {
		proto_doc_fini(&doc);
		return l->rc = ls_errf(l->e, LS_ENOMEM, "onvoldoende geheugen");
	}
	kept_set(k, m, &doc);
	return 0;
}

/* ---- federation summaries --------------------------------------------- */

/*
 * Federation summaries (type 7, only an aggregator can author one: the
 * store verified that). Per period one is used: of each origin the latest
 * (a later attempt or correction of the same period), and of several
 * origins the one with the most municipalities in its total (then the
 * lowest origin id), so the choice depends only on the documents held.
 */
struct fedload {
	struct load *l;
	size_t n, cap;
	struct kept *kept; /* doc.body.fedsum */
};

static int fed_same_period(const struct ls_period *p, const struct ls_period *q)
{
	return p->year == q->year && p->month == q->month &&
	       p->months == q->months;
}

static int fedsum_cb(void *arg, const struct store_doc_meta *m,
                     const uint8_t *envelope, size_t len)
{
	struct fedload *fl = arg;
	struct load *l = fl->l;
	struct ls_doc doc;
	struct kept *k = NULL;

	l->r->fed_docs++;
	if (m->uncounted != 0) {
		l->r->uncounted++;
		return 0;
	}
	if (decode_stored(l, m, envelope, len, LS_DOC_FEDSUM,
	                  "geen federatiesamenvatting", &doc) != 0)
		return l->rc;
	if (!in_window(l, &doc.body.fedsum.period)) {
		l->r->fed_ignored++;
		proto_doc_fini(&doc);
		return 0;
	}
	for (size_t i = 0; i < fl->n; i++) {
		const struct ls_fedsum *x = &fl->kept[i].doc.body.fedsum;
		if (!fed_same_period(&x->period, &doc.body.fedsum.period))
			continue;
		if (strcmp(fl->kept[i].ref.origin, m->origin) == 0 ||
		    doc.body.fedsum.n_included > x->n_included) {
			/* the same origin's later one, or one with more
			 * municipalities (origins come in id order) */
			k = &fl->kept[i];
			proto_doc_fini(&k->doc);
		}
		l->r->fed_superseded++;
		break;
	}
	if (k == NULL) {
		for (size_t i = 0; i < fl->n; i++)
			if (fed_same_period(&fl->kept[i].doc.body.fedsum.period,
			                    &doc.body.fedsum.period)) {
				/* an earlier origin's has as many */
				proto_doc_fini(&doc);
				return 0;
			}
		if ((k = kept_append(&fl->kept, &fl->n, &fl->cap)) == NULL) {
			proto_doc_fini(&doc);
			return l->rc = ls_errf(l->e, LS_ENOMEM,
			                       "onvoldoende geheugen");
		}
	}
	kept_set(k, m, &doc);
	return 0;
}

int node_trends_add_doc(struct trends *t, const struct ls_doc *doc,
                        const struct trends_docref *ref,
                        enum trends_added *added, struct ls_errinfo *e)
{
	if (doc->hdr.type == LS_DOC_SUMMARY)
		return ls_trends_add(t, &doc->body.summary, ref, added, e);
	if (doc->hdr.type == LS_DOC_FEDSUM) {
		const struct ls_fedsum *x = &doc->body.fedsum;
		struct trends_federation tf;
		memset(&tf, 0, sizeof tf);
		tf.period = x->period;
		tf.n_included = x->n_included > UINT32_MAX
		                    ? UINT32_MAX
		                    : (uint32_t)x->n_included;
		tf.noise = x->noise;
		tf.tables = x->tables;
		return ls_trends_add_federation(t, &tf, ref, added, e);
	}
	return ls_errf(e, LS_EINVAL,
	               "document %s nr. %llu is geen (federatie)samenvatting",
	               ref->origin, (unsigned long long)ref->seq);
}

static int fed_load(struct store *s, struct load *l)
{
	struct fedload fl;
	int rc;

	memset(&fl, 0, sizeof fl);
	fl.l = l;
	rc = store_feed_list(s, LS_DOC_FEDSUM, NULL, fedsum_cb, &fl);
	for (size_t i = 0; i < fl.n; i++) {
		struct ls_errinfo why;
		enum trends_added added;
		int arc;
		if (rc != LS_OK || l->rc != LS_OK)
			break;
		ls_errinfo_clear(&why);
		arc = node_trends_add_doc(l->t, &fl.kept[i].doc,
		                          &fl.kept[i].ref, &added, &why);
		if (arc == LS_ENOMEM) {
			l->rc = ls_errf(l->e, arc, "onvoldoende geheugen");
		} else if (arc != LS_OK) {
			if (l->r->refused++ == 0)
				snprintf(l->r->first_refused,
				         sizeof l->r->first_refused,
				         "%s nr. %llu: %.200s",
				         fl.kept[i].ref.origin,
				         (unsigned long long)fl.kept[i].ref.seq,
				         why.msg);
		} else if (added == TRENDS_ADDED) {
			l->r->fed_used++;
		} else {
			l->r->fed_ignored++;
		}
	}
	for (size_t i = 0; i < fl.n; i++)
		proto_doc_fini(&fl.kept[i].doc);
	ls_free(fl.kept);
	return rc;
}

int node_trends_load(struct store *s, struct trends *t,
                     const struct node_trends_filter *f,
                     struct node_trends_report *r, struct ls_errinfo *e)
{
	struct node_trends_report dummy;
	const struct trends_options *o = ls_trends_options_get(t);
	struct load l;
	int rc;

	memset(&l, 0, sizeof l);
	if (r == NULL)
		r = &dummy;
	memset(r, 0, sizeof *r);
	l.t = t;
	l.f = f;
	l.r = r;
	l.e = e;
	l.first = o->first;
	l.last = o->last;
	rc = store_feed_list(s, LS_DOC_SUMMARY, NULL, summary_cb, &l);
	if (rc == LS_OK)
		flush(&l);
	for (size_t i = 0; i < l.n; i++)
		proto_doc_fini(&l.kept[i].doc);
	ls_free(l.kept);
	if (l.rc != LS_OK)
		return l.rc;
	if (rc != LS_OK)
		return ls_errf(e, rc, "samenvattingen lezen: %s",
		               ls_strerror_nl(rc));
	/* A federation total covers every municipality in it: for a
	 * selection of municipalities the sum of their own releases is the
	 * answer. */
	if (f != NULL && f->n_origins > 0)
		return LS_OK;
	rc = fed_load(s, &l);
	if (l.rc != LS_OK)
		return l.rc;
	if (rc != LS_OK)
		return ls_errf(e, rc, "federatiesamenvattingen lezen: %s",
		               ls_strerror_nl(rc));
	return LS_OK;
}

/* ---- the default window ------------------------------------------------ */

struct seen {
	char origin[LS_NODE_ID_SIZE];
	int32_t index; /* month index of the period start */
	int32_t months;
};

struct scan {
	const struct node_trends_filter *f;
	struct ls_errinfo *e;
	size_t n, cap;
	struct seen *v;
	int rc;
};

static int scan_cb(void *arg, const struct store_doc_meta *m,
                   const uint8_t *envelope, size_t len)
{
	struct scan *sc = arg;
	struct ls_errinfo why;
	struct ls_doc doc;
	int rc;
	if (!selected(sc->f, m->origin) || m->uncounted != 0)
		return 0;
	memset(&doc, 0, sizeof doc);
	rc = node_feed_decode(envelope, len, &doc, &why);
	if (rc != LS_OK || doc.hdr.type != LS_DOC_SUMMARY) {
		proto_doc_fini(&doc);
		return sc->rc =
		           ls_errf(sc->e, rc == LS_ENOMEM ? rc : LS_ECORRUPT,
		                   "document %s nr. %llu in de databank "
		                   "is onleesbaar",
		                   m->origin, (unsigned long long)m->seq);
	}
	{
		struct seen *p =
		    ls_array_grow(sc->v, &sc->cap, sc->n + 1, sizeof *p, 64);
		if (p == NULL) {
			proto_doc_fini(&doc);
			return sc->rc = ls_errf(sc->e, LS_ENOMEM,
			                        "onvoldoende geheugen");
		}
		sc->v = p;
	}
	strcpy(sc->v[sc->n].origin, m->origin);
	sc->v[sc->n].index = ls_month_index(doc.body.summary.period.year,
	                                    doc.body.summary.period.month);
	sc->v[sc->n].months = doc.body.summary.period.months;
	sc->n++;
	proto_doc_fini(&doc);
	return 0;
}

static int cmp_seen(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;
	if (x->months != y->months)
		return x->months < y->months ? -1 : 1;
	if (x->index != y->index)
		return x->index > y->index ? -1 : 1; /* latest first */
	return strcmp(x->origin, y->origin);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int node_trends_latest(struct store *s, const struct node_trends_filter *f,
                       struct ls_period *last, int *found, struct ls_errinfo *e)
{
	struct scan sc;
	int32_t months = 0;
	size_t best = 0, n_origins = 0;
	int rc;

	memset(&sc, 0, sizeof sc);
	sc.f = f;
	sc.e = e;
	*found = 0;
	rc = store_feed_list(s, LS_DOC_SUMMARY, NULL, scan_cb, &sc);
	if (sc.rc != LS_OK || rc != LS_OK) {
		ls_free(sc.v);
		return sc.rc != LS_OK
		           ? sc.rc
		           : ls_errf(e, rc, "samenvattingen lezen: %s",
		                     ls_strerror_nl(rc));
	}
	if (sc.n > 1)
		qsort(sc.v, sc.n, sizeof *sc.v, cmp_seen);
	/* the period length most summaries have (the shortest on ties) */
	for (size_t i = 0; i < sc.n;) {
		size_t j = i;
		while (j < sc.n && sc.v[j].months == sc.v[i].months)
			j++;
		if (j - i > best) {
			best = j - i;
			months = sc.v[i].months;
		}
		i = j;
	}
	/* municipalities with a summary of that length */
	if (sc.n > 0) {
		const char **ids = ls_calloc(sc.n, sizeof *ids);
		size_t k = 0;
		if (ids == NULL) {
			ls_free(sc.v);
			return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
		}
		for (size_t i = 0; i < sc.n; i++)
			if (sc.v[i].months == months)
				ids[k++] = sc.v[i].origin;
		qsort(ids, k, sizeof *ids, cmp_str);
		for (size_t i = 0; i < k; i++)
			n_origins += i == 0 || strcmp(ids[i], ids[i - 1]) != 0;
		ls_free(ids);
	}
	for (size_t i = 0; i < sc.n && !*found;) {
		size_t j = i, distinct = 0;
		while (j < sc.n && sc.v[j].months == sc.v[i].months &&
		       sc.v[j].index == sc.v[i].index) {
			distinct += j == i || strcmp(sc.v[j].origin,
			                             sc.v[j - 1].origin) != 0;
			j++;
		}
		if (sc.v[i].months == months && 2 * distinct >= n_origins) {
			last->year = sc.v[i].index / 12;
			last->month = sc.v[i].index % 12 + 1;
			last->months = months;
			*found = 1;
		}
		i = j;
	}
	ls_free(sc.v);
	return LS_OK;
}

/* ---- dossier notes ----------------------------------------------------- */

struct notes {
	struct structural *st;
	const struct node_trends_filter *f;
	uint64_t n;
	struct ls_errinfo *e;
	int rc;
};

static int note_cb(void *arg, const struct store_doc_meta *m,
                   const uint8_t *envelope, size_t len)
{
	struct notes *nl = arg;
	struct structural_note n;
	struct ls_errinfo why;
	struct ls_doc doc;
	int rc;
	if (!selected(nl->f, m->origin))
		return 0;
	nl->n++;
	memset(&doc, 0, sizeof doc);
	rc = node_feed_decode(envelope, len, &doc, &why);
	if (rc != LS_OK || doc.hdr.type != LS_DOC_DOSSIER_NOTE) {
		proto_doc_fini(&doc);
		return nl->rc =
		           ls_errf(nl->e, rc == LS_ENOMEM ? rc : LS_ECORRUPT,
		                   "document %s nr. %llu in de databank "
		                   "is onleesbaar",
		                   m->origin, (unsigned long long)m->seq);
	}
	memset(&n, 0, sizeof n);
	strcpy(n.origin, m->origin);
	n.seq = m->seq;
	memcpy(n.hash, m->hash, LS_HASH_BYTES);
	n.created = doc.hdr.created;
	memcpy(n.dossier, doc.body.note.dossier, sizeof n.dossier);
	memcpy(n.theme, doc.body.note.theme, sizeof n.theme);
	n.phase = doc.body.note.phase;
	memcpy(n.problem_type, doc.body.note.problem_type,
	       sizeof n.problem_type);
	memcpy(n.headline, doc.body.note.headline, sizeof n.headline);
	proto_doc_fini(&doc);
	rc = ls_structural_add(nl->st, &n);
	if (rc != LS_OK)
		return nl->rc = ls_errf(nl->e, rc, "notitie %s nr. %llu: %s",
		                        m->origin, (unsigned long long)m->seq,
		                        ls_strerror_nl(rc));
	return 0;
}

int node_structural_load(struct store *s, struct structural *st,
                         const struct node_trends_filter *f, uint64_t *n_docs,
                         struct ls_errinfo *e)
{
	struct notes nl;
	int rc;
	memset(&nl, 0, sizeof nl);
	nl.st = st;
	nl.f = f;
	nl.e = e;
	rc = store_feed_list(s, LS_DOC_DOSSIER_NOTE, NULL, note_cb, &nl);
	if (n_docs != NULL)
		*n_docs = nl.n;
	if (nl.rc != LS_OK)
		return nl.rc;
	if (rc != LS_OK)
		return ls_errf(e, rc, "notities lezen: %s", ls_strerror_nl(rc));
	return LS_OK;
}

/* ---- member names ------------------------------------------------------ */

struct roster_pick {
	struct ls_doc doc; /* the latest roster so far */
	int have;
	struct ls_errinfo *e;
	int rc;
};

static int roster_cb(void *arg, const struct store_doc_meta *m,
                     const uint8_t *envelope, size_t len)
{
	struct roster_pick *rp = arg;
	struct ls_errinfo why;
	struct ls_doc doc;
	int rc;
	if (rp->have &&
	    (m->created < rp->doc.hdr.created ||
	     (m->created == rp->doc.hdr.created && m->seq <= rp->doc.hdr.seq)))
		return 0;
	memset(&doc, 0, sizeof doc);
	rc = node_feed_decode(envelope, len, &doc, &why);
	if (rc != LS_OK || doc.hdr.type != LS_DOC_ROSTER) {
		proto_doc_fini(&doc);
		return rp->rc =
		           ls_errf(rp->e, rc == LS_ENOMEM ? rc : LS_ECORRUPT,
		                   "ledenlijst %s nr. %llu in de databank "
		                   "is onleesbaar",
		                   m->origin, (unsigned long long)m->seq);
	}
	proto_doc_fini(&rp->doc);
	rp->doc = doc;
	rp->have = 1;
	return 0;
}

int node_names_load(struct store *s, struct node_names *out,
                    struct ls_errinfo *e)
{
	struct roster_pick rp;
	const struct ls_roster *r;
	int rc;

	memset(out, 0, sizeof *out);
	memset(&rp, 0, sizeof rp);
	rp.e = e;
	rc = store_feed_list(s, LS_DOC_ROSTER, NULL, roster_cb, &rp);
	if (rp.rc != LS_OK || rc != LS_OK) {
		proto_doc_fini(&rp.doc);
		return rp.rc != LS_OK ? rp.rc
		                      : ls_errf(e, rc, "ledenlijst lezen: %s",
		                                ls_strerror_nl(rc));
	}
	if (!rp.have)
		return LS_OK;
	r = &rp.doc.body.roster;
	if (r->n_members > 0) {
		out->v = ls_calloc(r->n_members, sizeof *out->v);
		if (out->v == NULL) {
			proto_doc_fini(&rp.doc);
			return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
		}
	}
	/* roster members are sorted by node id */
	for (size_t i = 0; i < r->n_members; i++) {
		snprintf(out->v[i].id, sizeof out->v[i].id, "%s",
		         r->members[i].node_id);
		snprintf(out->v[i].name, sizeof out->v[i].name, "%s",
		         r->members[i].name);
	}
	out->n = r->n_members;
	proto_doc_fini(&rp.doc);
	return LS_OK;
}

void node_names_fini(struct node_names *n)
{
	ls_free(n->v);
	memset(n, 0, sizeof *n);
}

const char *node_names_get(const struct node_names *n, const char *id)
{
	size_t lo = 0, hi = n->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(id, n->v[mid].id);
		if (c == 0)
			return n->v[mid].name[0] ? n->v[mid].name : id;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return id;
}

void node_trends_options_config(const struct ls_config *c,
                                struct trends_options *o)
{
	o->growth_periods = (uint32_t)c->trends_growth_periods;
	o->growth_full_pct = (uint32_t)c->trends_growth_full;
	o->weight[TRENDS_C_SPREAD] = (uint32_t)c->trends_w_spread;
	o->weight[TRENDS_C_RISING] = (uint32_t)c->trends_w_rising;
	o->weight[TRENDS_C_GROWTH] = (uint32_t)c->trends_w_growth;
	o->weight[TRENDS_C_RECURRENCE] = (uint32_t)c->trends_w_recurrence;
	o->weight[TRENDS_C_BREADTH] = (uint32_t)c->trends_w_breadth;
	o->weight[TRENDS_C_SCALE] = (uint32_t)c->trends_w_scale;
	o->weight[TRENDS_C_YOUTH] = (uint32_t)c->trends_w_youth;
}
