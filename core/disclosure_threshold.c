/*
 * Disclosure control: threshold mode, complementary suppression and the
 * released summary (see core/disclosure_internal.h for the module's
 * files and core/disclosure.c for the method).
 */
#include "core/disclosure_internal.h"
#include "common/alloc.h"
#include "common/log.h"

#include <stdlib.h>
#include <string.h>

/* ---- threshold mode: complementary suppression ----------------------- */

enum cell_state {
	ST_EXACT = 0,   /* released as is (0 or >= k) */
	ST_PRIMARY = 1, /* 1..k-1 */
	ST_ZERO = 2,    /* 0 hidden as 0..k-1 */
	ST_COMPL = 3,   /* >= k suppressed as 0..x_T */
};

struct tstate {
	uint8_t st[MAXC];
	uint8_t wid[MAXC];   /* primary widened to 0..k-1 */
	int16_t prot[MAXC];  /* cell whose protection changed this one */
	uint8_t hidden[G_N]; /* group hides its zeros */
};

struct tctx {
	const struct dom *d;
	const struct theme_sys *ts;
	int64_t k, cap;
};

/* The released range of a suppressed count. */
static void rel_range(const struct tctx *c, const struct tstate *s, size_t i,
                      int64_t *lo, int64_t *hi)
{
	switch (s->st[i]) {
	case ST_PRIMARY:
		*lo = s->wid[i] ? 0 : 1;
		*hi = c->k - 1;
		break;
	case ST_ZERO:
		*lo = 0;
		*hi = c->k - 1;
		break;
	case ST_COMPL:
		/* Only in themes whose total is >= k; "at most the theme
		 * total" is implied by the rows, so it adds nothing. */
		*lo = 0;
		*hi = c->ts->x[0];
		break;
	default:
		*lo = *hi = c->ts->x[i];
	}
}

static void to_ocells(const struct tctx *c, const struct tstate *s,
                      struct oracle_cell *oc)
{
	for (size_t i = 0; i < c->d->ncells; i++) {
		oc[i].exact = s->st[i] == ST_EXACT;
		rel_range(c, s, i, &oc[i].lo, &oc[i].hi);
		oc[i].y = c->ts->y[i];
	}
}

static int run_oracle(const struct tctx *c, const struct tstate *s,
                      struct orange *rg)
{
	struct oracle_cell oc[MAXC];
	to_ocells(c, s, oc);
	return ls_disclosure_oracle(c->d, oc, c->cap, rg);
}

static int pinned(const struct tctx *c, const struct orange *rg, size_t i)
{
	return rg[i].xlo == rg[i].xhi ||
	       (has_persons(c->d, i) && rg[i].ylo == rg[i].yhi);
}

/* The first primary cell an attacker can compute, or -1. */
static int first_pinned(const struct tctx *c, const struct tstate *s,
                        const struct orange *rg)
{
	for (size_t i = 0; i < c->d->ncells; i++)
		if (s->st[i] == ST_PRIMARY && pinned(c, rg, i))
			return (int)i;
	return -1;
}

enum { ACT_HIDE = 0, ACT_SUPPRESS = 1 };

struct action {
	int64_t cost;
	uint8_t kind;
	uint16_t what; /* group to hide, or cell to suppress */
};

static int cmp_action(const void *a, const void *b)
{
	const struct action *x = a, *y = b;
	if (x->cost != y->cost)
		return x->cost < y->cost ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->what < y->what ? -1 : (x->what > y->what);
}

/*
 * Every step that would release less about this theme, cheapest first.
 * Hiding a row's zeros costs one per cell it touches (a zero that becomes
 * 0..k-1, a primary that becomes 0..k-1); suppressing a count v costs
 * x_T + v, so it is chosen only when hiding zeros cannot help and then the
 * smallest count goes first: the large counts, which carry the trends,
 * stay exact. The theme total costs four times more than any other cell.
 */
static size_t actions_list(const struct tctx *c, const struct tstate *s,
                           struct action *out)
{
	size_t n = 0;
	const struct dom *d = c->d;
	for (int g = G_AGE; g <= G_REC; g++) {
		int64_t zeros = 0, prim = 0;
		if (s->hidden[g])
			continue;
		for (size_t i = d->first[g]; i < d->first[g + 1]; i++) {
			zeros += s->st[i] == ST_EXACT && c->ts->x[i] == 0;
			prim += s->st[i] == ST_PRIMARY && !s->wid[i];
		}
		if (zeros + prim > 0) {
			out[n].cost = zeros + prim;
			out[n].kind = ACT_HIDE;
			out[n++].what = (uint16_t)g;
		}
	}
	for (size_t i = 0; i < d->ncells; i++) {
		if (s->st[i] != ST_EXACT || c->ts->x[i] < c->k)
			continue;
		out[n].cost = (i == 0 ? 4 : 1) * (c->ts->x[0] + c->ts->x[i]);
		out[n].kind = ACT_SUPPRESS;
		out[n++].what = (uint16_t)i;
	}
	qsort(out, n, sizeof out[0], cmp_action);
	return n;
}

static void action_apply(const struct tctx *c, struct tstate *s,
                         const struct action *a, int target)
{
	const struct dom *d = c->d;
	if (a->kind == ACT_SUPPRESS) {
		s->st[a->what] = ST_COMPL;
		s->prot[a->what] = (int16_t)target;
		return;
	}
	s->hidden[a->what] = 1;
	for (size_t i = d->first[a->what]; i < d->first[a->what + 1]; i++) {
		if (s->st[i] == ST_EXACT && c->ts->x[i] == 0) {
			s->st[i] = ST_ZERO;
			s->prot[i] = (int16_t)target;
		} else if (s->st[i] == ST_PRIMARY && !s->wid[i]) {
			s->wid[i] = 1;
			s->prot[i] = (int16_t)target;
		}
	}
}

static int64_t target_width(const struct tctx *c, const struct orange *rg,
                            int target)
{
	return (rg[target].xhi - rg[target].xlo) +
	       (has_persons(c->d, (size_t)target)
	            ? rg[target].yhi - rg[target].ylo
	            : 0);
}

/* Take these steps on a copy of the state: is cell `target` still
 * computable (*unpinned 0) and how wide are its feasible ranges? Returns
 * the oracle's error, if any. */
static int try_actions(const struct tctx *c, const struct tstate *s,
                       const struct action *a, size_t n, int target,
                       int *unpinned, int64_t *width)
{
	struct tstate t = *s;
	struct orange rg[MAXC];
	int rc;
	for (size_t i = 0; i < n; i++)
		action_apply(c, &t, &a[i], target);
	if ((rc = run_oracle(c, &t, rg)) != LS_OK)
		return rc;
	*unpinned = !pinned(c, rg, (size_t)target);
	*width = target_width(c, rg, target);
	return LS_OK;
}

/*
 * Protect one theme: repeat until no primary cell is pinned. Each round
 * takes, for the first pinned primary cell, (1) the cheapest single step
 * that unpins it, else (2) the cheapest pair of steps that does, else (3)
 * the cheapest step that widens its range, else (4) the cheapest step.
 * Steps only ever release less, so ranges never narrow and cells already
 * protected stay protected.
 */
static int protect_theme(const struct tctx *c, struct tstate *s,
                         struct orange *rg, uint32_t *actions)
{
	struct action acts[MAXC + G_N];
	for (;;) {
		size_t n, pick = SIZE_MAX, pick2 = SIZE_MAX;
		int64_t base_w, w, best = INT64_MAX;
		int target, un, rc;

		if ((rc = run_oracle(c, s, rg)) != LS_OK)
			return rc;
		target = first_pinned(c, s, rg);
		if (target < 0)
			return LS_OK;
		n = actions_list(c, s, acts);
		if (n == 0)
			return LS_EINTERNAL; /* impossible: see the top */
		base_w = target_width(c, rg, target);
		for (size_t i = 0; i < n && pick == SIZE_MAX; i++) {
			rc = try_actions(c, s, &acts[i], 1, target, &un, &w);
			if (rc != LS_OK)
				return rc;
			if (un)
				pick = i;
		}
		/* Pairs (i, j), i < j, in a list sorted by cost: for a given
		 * i the first j that works is its cheapest, and no i whose
		 * cheapest partner i + 1 is too dear can beat the best. */
		if (pick == SIZE_MAX) {
			size_t bi = SIZE_MAX, bj = SIZE_MAX;
			for (size_t i = 0;
			     i + 1 < n &&
			     acts[i].cost + acts[i + 1].cost < best;
			     i++)
				for (size_t j = i + 1;
				     j < n &&
				     acts[i].cost + acts[j].cost < best;
				     j++) {
					struct action two[2] = {acts[i],
					                        acts[j]};
					rc = try_actions(c, s, two, 2, target,
					                 &un, &w);
					if (rc != LS_OK)
						return rc;
					if (un) {
						best =
						    acts[i].cost + acts[j].cost;
						bi = i;
						bj = j;
						break;
					}
				}
			pick2 = bi;
			pick = bj;
		}
		for (size_t i = 0; pick == SIZE_MAX && i < n; i++) {
			rc = try_actions(c, s, &acts[i], 1, target, &un, &w);
			if (rc != LS_OK)
				return rc;
			if (w > base_w)
				pick = i;
		}
		if (pick == SIZE_MAX)
			pick = 0;
		if (pick2 != SIZE_MAX) {
			action_apply(c, s, &acts[pick2], target);
			(*actions)++;
		}
		action_apply(c, s, &acts[pick], target);
		(*actions)++;
	}
}

/* ---- writing the released summary ------------------------------------ */

/* Per theme, what the threshold pass decided. */
struct theme_out {
	struct tstate s;
	struct orange rg[MAXC];
};

struct tplan {
	const struct dom *d;
	const struct theme_sys *ts;
	const struct theme_out *to;
	int64_t k, cap;
};

/* Is cell i of theme ti in the released summary? */
static int released_cell(const struct tplan *p, size_t ti, size_t i)
{
	const struct theme_sys *ts = &p->ts[ti];
	if (ts->x[0] == 0)
		return 0;
	if (i == 0 || p->d->grp[i] == G_REC)
		return 1;
	return ts->x[i] > 0 || p->to[ti].s.st[i] != ST_EXACT;
}

static void released_pair(const struct tplan *p, size_t ti, size_t i,
                          struct ls_cell *sig, struct ls_cell *per)
{
	struct tctx c = {p->d, &p->ts[ti], p->k, p->cap};
	const struct tstate *s = &p->to[ti].s;
	int64_t lo, hi;
	if (s->st[i] == ST_EXACT) {
		ls_cell_set_exact(sig, p->ts[ti].x[i]);
		ls_cell_set_exact(per, p->ts[ti].y[i]);
		return;
	}
	rel_range(&c, s, i, &lo, &hi);
	ls_cell_set_range(sig, lo, hi);
	/* Persons follow from the signals range: between one and cap
	 * persons per signal. Nothing more is said about them. */
	ls_cell_set_range(per, lo, p->cap * hi);
}

static const uint8_t reason_of[4] = {
    [ST_EXACT] = DISCLOSURE_RELEASED,
    [ST_PRIMARY] = DISCLOSURE_PRIMARY,
    [ST_ZERO] = DISCLOSURE_ZERO_HIDDEN,
    [ST_COMPL] = DISCLOSURE_COMPLEMENTARY,
};

static void note_threshold(const struct tplan *p, size_t ti, size_t i,
                           int measure, const struct ls_cell *rel,
                           struct disclosure_note *nt)
{
	const struct tstate *s = &p->to[ti].s;
	const struct orange *rg = &p->to[ti].rg[i];
	memset(nt, 0, sizeof *nt);
	ls_disclosure_ref_of(p->d, ti, i, measure, &nt->cell);
	nt->raw =
	    measure == LS_MEASURE_PERSONS ? p->ts[ti].y[i] : p->ts[ti].x[i];
	nt->released = *rel;
	nt->reason = reason_of[s->st[i]];
	nt->widened = s->wid[i];
	if (s->st[i] != ST_EXACT && s->prot[i] >= 0) {
		nt->has_protects = 1;
		ls_disclosure_ref_of(p->d, ti, (size_t)s->prot[i],
		                     LS_MEASURE_SIGNALS, &nt->protects);
	}
	nt->feasible_lo = measure == LS_MEASURE_PERSONS ? rg->ylo : rg->xlo;
	nt->feasible_hi = measure == LS_MEASURE_PERSONS ? rg->yhi : rg->xhi;
}

static int write_threshold(const struct tplan *p, struct ls_summary *out,
                           struct disclosure_report *rep)
{
	const struct dom *d = p->d;
	size_t counts[LS_TABLE_COUNT_] = {0}, nrec = 0, nnotes = 0, k = 0;
	size_t pos[LS_TABLE_COUNT_] = {0}, rpos = 0;
	int rc;

	for (size_t ti = 0; ti < d->n[LS_TABLE_THEME]; ti++) {
		if (p->ts[ti].x[0] == 0)
			continue;
		nrec++;
		for (size_t i = 0; i < d->first[G_REC]; i++)
			counts[d->grp[i]] += released_cell(p, ti, i);
	}
	if ((rc = ls_disclosure_out_alloc(out, counts, nrec)) != LS_OK)
		return rc;
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		nnotes += 2 * counts[t];
	nnotes += 2 * nrec;
	if (rep != NULL) {
		rep->notes = ls_calloc(nnotes + 1, sizeof *rep->notes);
		if (rep->notes == NULL)
			return LS_ENOMEM;
	}
	/* Rows in (theme, other) order: themes and codes are sorted. */
	for (size_t ti = 0; ti < d->n[LS_TABLE_THEME]; ti++) {
		if (p->ts[ti].x[0] == 0)
			continue;
		for (size_t i = 0; i < d->first[G_REC]; i++) {
			int t = d->grp[i];
			struct ls_summary_row *row;
			if (!released_cell(p, ti, i))
				continue;
			row = &out->tables[t].rows[pos[t]++];
			memcpy(row->theme, d->code[0][ti], LS_CODE_SIZE);
			if (t != G_TOTAL)
				memcpy(row->other, d->code[t][i - d->first[t]],
				       LS_CODE_SIZE);
			released_pair(p, ti, i, &row->signals, &row->persons);
		}
		{
			struct ls_recurrence_row *row =
			    &out->recurrence[rpos++];
			size_t o = d->first[G_REC];
			struct ls_cell dummy;
			memcpy(row->theme, d->code[0][ti], LS_CODE_SIZE);
			released_pair(p, ti, o, &row->organisations, &dummy);
			released_pair(p, ti, o + 1, &row->reporters, &dummy);
		}
	}
	if (rep == NULL)
		return LS_OK;
	/* Notes in (table, theme, other, measure) order. */
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		for (size_t r = 0; r < out->tables[t].n_rows; r++) {
			const struct ls_summary_row *row =
			    &out->tables[t].rows[r];
			size_t ti, i;
			ls_disclosure_row_cell(d, t, row, &ti, &i);
			note_threshold(p, ti, i, LS_MEASURE_SIGNALS,
			               &row->signals, &rep->notes[k++]);
			note_threshold(p, ti, i, LS_MEASURE_PERSONS,
			               &row->persons, &rep->notes[k++]);
		}
	for (size_t r = 0; r < out->n_recurrence; r++) {
		const struct ls_recurrence_row *row = &out->recurrence[r];
		size_t ti = (size_t)ls_disclosure_dom_find(d, 0, row->theme);
		size_t o = d->first[G_REC];
		note_threshold(p, ti, o, 0, &row->organisations,
		               &rep->notes[k++]);
		note_threshold(p, ti, o + 1, 0, &row->reporters,
		               &rep->notes[k++]);
	}
	rep->n_notes = k;
	ls_disclosure_report_count(rep);
	return LS_OK;
}

int ls_disclosure_apply_threshold(const struct dom *d,
                                  const struct theme_sys *ts,
                                  const struct ls_disclosure_params *prm,
                                  struct ls_summary *out,
                                  struct disclosure_report *rep)
{
	size_t nt = d->n[LS_TABLE_THEME];
	struct theme_out *to = ls_calloc(nt, sizeof *to);
	struct tplan plan = {d, ts, to, prm->k, prm->persons_cap};
	uint32_t actions = 0;
	int rc = LS_OK;

	if (to == NULL)
		return LS_ENOMEM;
	for (size_t ti = 0; ti < nt && rc == LS_OK; ti++) {
		struct tctx c = {d, &ts[ti], prm->k, prm->persons_cap};
		struct tstate *s = &to[ti].s;
		if (ts[ti].x[0] == 0)
			continue;
		for (size_t i = 0; i < d->ncells; i++) {
			s->prot[i] = -1;
			s->st[i] = ts[ti].x[i] >= 1 && ts[ti].x[i] < c.k
			               ? ST_PRIMARY
			               : ST_EXACT;
		}
		rc = protect_theme(&c, s, to[ti].rg, &actions);
		if (rc != LS_OK)
			LS_ERROR("disclosure", "protect_failed",
			         "theme=%s err=%s", d->code[0][ti],
			         ls_errname(rc));
	}
	if (rc == LS_OK)
		rc = write_threshold(&plan, out, rep);
	if (rc == LS_OK && rep != NULL)
		rep->actions = actions;
	ls_free(to);
	return rc == LS_OK || rc == LS_ENOMEM ? rc : LS_EINTERNAL;
}
