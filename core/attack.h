/*
 * The attacker of threshold mode, as an integer program (GLPK).
 *
 * The attacker holds every summary a node has published for a period: the
 * first release and all its corrections, in publication order, plus
 * everything public: the taxonomy, the policy (k, persons cap) and the
 * structural limits of a signal (1..3 themes, exactly one age band, one
 * sector, at most one problem type, at most LS_SIGNAL_MAX_TARGETS target
 * groups, 1..cap counted persons). From these it solves, per released
 * cell, the exact minimum and maximum of the true count that any integer
 * solution of all public relations allows. docs/DISCLOSURE.md section 3
 * lists every relation; each one is a constraint in model_build() in
 * attack.c, so a new public relation is a new constraint there.
 *
 * Two consecutive versions of a period are linked by the signals that
 * changed between them. The attacker does not know those signals, but may
 * guess the direction of the change (the reason code "gewist" says
 * signals were removed; a late registration adds). A link hypothesis says
 * which: ATTACK_LINK_REMOVED (the later version is the earlier minus a set
 * of signals) or ATTACK_LINK_ADDED (plus a set). A change in both
 * directions at once links nothing: any two summaries are then
 * consistent, so it is ATTACK_LINK_NONE. The gate tries every combination
 * of hypotheses that the documents leave feasible, a link taken as NONE
 * only where neither direction fits (the attacker then knows it).
 *
 * ls_attack_gate() is the release gate: it takes the summary
 * ls_disclosure_apply() made, rewrites every complementary range so it is
 * derived from the released values alone (never 0..true total), and widens it
 * (hides zeros, suppresses more counts) until, under every feasible hypothesis,
 * no small count of this or any earlier version of the period is pinned, and no
 * earlier version's small count is narrowed; if nothing helps, it refuses.
 *
 * Pure computation, no I/O. GLPK itself aborts the process when it runs
 * out of memory (it has no error return for that); the programs here have
 * a few hundred variables.
 */
#ifndef LS_CORE_ATTACK_H
#define LS_CORE_ATTACK_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/disclosure.h"
#include "core/summary.h"

/* Versions of one period the gate models at once (a release and up to
 * four corrections): up to 3^(n-1) = 81 link hypotheses per theme. A
 * fifth correction of a period is refused. */
#define ATTACK_MAX_DOCS 5

enum attack_link {
	ATTACK_LINK_REMOVED = 0, /* later = earlier minus some signals */
	ATTACK_LINK_ADDED = 1,   /* later = earlier plus some signals */
	ATTACK_LINK_NONE = 2,    /* a change in both directions: unlinked */
};

/* The exact feasible range of one count. */
struct attack_range {
	int64_t lo, hi;
};

/* What the attacker knows. */
struct attack_input {
	const struct ls_domain *domain;
	/* Threshold-mode summaries of one period, oldest first; all with the
	 * same persons cap. Not owned. */
	const struct ls_summary *const *docs;
	size_t n_docs;        /* 1..ATTACK_MAX_DOCS */
	const uint8_t *links; /* n_docs - 1 hypotheses (enum
	                         attack_link); NULL when n_docs == 1 */
	uint32_t max_targets; /* target groups per signal, at most */
};

/*
 * The feasible ranges of every cell of one theme, per document. Cells of a
 * theme are numbered: 0 the theme total, then the age bands, target
 * groups, sectors and problem types (each in byte order of their codes),
 * then organisations and reporters (ls_attack_cell_index()). sig[d * ncells
 * + i] is the signals count (organisations/reporters for those two
 * cells), per[...] the persons (zero for the recurrence cells).
 * feasible 0: no integer solution (the hypotheses are false). Owned by the
 * struct: ls_attack_theme_fini().
 */
struct attack_theme {
	int feasible;
	size_t n_docs, ncells;
	struct attack_range *sig, *per;
};

void ls_attack_theme_fini(struct attack_theme *t);

/* The index of a cell of a theme (table: enum ls_table_kind or
 * LS_TABLE_RECURRENCE; other: the row's code, "" for the total; measure
 * selects organisations/reporters in the recurrence table), or -1 when the
 * code is not in the domain. */
int ls_attack_cell_index(const struct ls_domain *dom, int table,
                         const char *other, int measure);

/* Cells per theme of this domain. */
size_t ls_attack_cells_per_theme(const struct ls_domain *dom);

/*
 * Solve the ranges of every released cell of `theme` in every document.
 * LS_OK (see out->feasible), LS_EINVAL for a bad domain, documents that
 * are not threshold mode or differ in persons cap, rows outside the
 * domain or malformed cells (the message says which), LS_ENOMEM. *out is
 * the caller's (ls_attack_theme_fini, also after an error).
 */
int ls_attack_theme_solve(const struct attack_input *in, const char *theme,
                          struct attack_theme *out, struct ls_errinfo *e);

/* What the gate did. */
struct attack_gate_stats {
	uint32_t themes;     /* themes modelled */
	uint32_t hypotheses; /* link hypotheses solved (feasible or not) */
	uint32_t solves;     /* integer programs solved */
	uint32_t steps;      /* widening steps taken */
	uint32_t derived;    /* complementary ranges rewritten */
};

/* GLPK keeps an environment per thread and frees it only when told: a
 * thread that ran the gate or a solve calls this before it ends (nothing
 * of GLPK is alive between calls here). */
void ls_attack_thread_fini(void);

/*
 * The release gate. history: the summaries the node already published for
 * this period (oldest first, n_history + 1 <= ATTACK_MAX_DOCS);
 * *released: the new summary as ls_disclosure_apply() made it (threshold
 * mode), rewritten in place; report: its notes (true counts), rewritten to
 * match: new suppressions get their reasons, and every note's
 * feasible_lo/hi is the narrowest range any feasible hypothesis gives.
 * max_targets as in attack_input.
 *
 * LS_OK: *released is safe to sign. LS_EPOLICY: no widening protects it
 * (a correction that must be withheld; the message says which cell, in
 * Dutch), *released is then unspecified. LS_ELIMIT: too many corrections.
 * LS_EINVAL: bad input. LS_ENOMEM. stats may be NULL.
 */
int ls_attack_gate(const struct ls_domain *domain,
                   const struct ls_summary *const *history, size_t n_history,
                   uint32_t max_targets, struct ls_summary *released,
                   struct disclosure_report *report,
                   struct attack_gate_stats *stats, struct ls_errinfo *e);

#endif
