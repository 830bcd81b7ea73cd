/*
 * Disclosure control on a Ghent-size month (15,000 synthetic signals) and
 * on a year of such months. Prints a Markdown section for
 * bench/RESULTS.md.
 *
 * Baseline, measured in the same run: counting the same signals into a raw
 * summary in memory (tests/unit/synth.h), the floor of any summariser.
 * The real summariser (SQL GROUP BY in the store) comes with the store; its
 * benchmark then sets these numbers against it.
 *
 * BENCH_QUICK=1 makes a smaller, faster run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/clock.h"
#include "core/disclosure.h"
#include "tests/unit/synth.h"

struct month {
	struct ls_summary raw;
};

int main(void)
{
	static const uint8_t secret[NOISE_SECRET_BYTES] = {42};
	const char *q = getenv("BENCH_QUICK");
	int quick = q != NULL && q[0] != '\0' && strcmp(q, "0") != 0;
	size_t per_month = quick ? 3000 : 15000;
	int reps = quick ? 3 : 9, months = 12;
	struct synth_domain sd;
	struct synth_world w;
	struct synth_rng rng = {2026};
	struct synth_signal *sig = calloc(per_month, sizeof *sig);
	struct month *m = calloc((size_t)months, sizeof *m);
	struct ls_disclosure_params thr, noi;
	struct noise_budget budget = {1000000, 0};
	double t_count[16], t_thr[16], t_noise[16], t_check[16], year_thr,
	    year_count;
	size_t rows = 0, suppressed = 0, actions = 0;

	if (sig == NULL || m == NULL)
		return 1;
	synth_domain_init(&sd, NULL);
	synth_world_init(&w, &rng, &sd, 220, 1000);
	ls_disclosure_params_default(&thr);
	noi = thr;
	noi.mode = LS_MODE_NOISE;

	/* Twelve months of signals, each summarised once (timed). */
	year_count = 0;
	for (int mo = 0; mo < months; mo++) {
		double t0;
		for (size_t i = 0; i < per_month; i++)
			synth_signal_random(&sig[i], &rng, &sd, &w, 12);
		ls_summary_init(&m[mo].raw);
		synth_header(&m[mo].raw, "gent", 2026, mo + 1);
		t0 = bench_now_ms();
		if (synth_summarise(&sd, &w, sig, per_month, thr.persons_cap, 0,
		                    &m[mo].raw, NULL) != 0)
			return 1;
		year_count += bench_now_ms() - t0;
	}
	for (int r = 0; r < reps; r++) {
		struct ls_summary raw;
		double t0 = bench_now_ms();
		ls_summary_init(&raw);
		synth_header(&raw, "gent", 2026, 12);
		if (synth_summarise(&sd, &w, sig, per_month, thr.persons_cap, 0,
		                    &raw, NULL) != 0)
			return 1;
		t_count[r] = bench_now_ms() - t0;
		ls_summary_fini(&raw);
	}

	for (int r = 0; r < reps; r++) {
		struct disclosure_input in = {&m[0].raw, &sd.dom, &thr,
		                              NULL,      0,       NULL};
		struct ls_summary rel;
		struct disclosure_report rep;
		struct ls_errinfo e;
		double t0 = bench_now_ms();
		if (ls_disclosure_apply(&in, &rel, &rep, &e) != LS_OK) {
			fprintf(stderr, "threshold: %s\n", e.msg);
			return 1;
		}
		t_thr[r] = bench_now_ms() - t0;
		t0 = bench_now_ms();
		if (ls_disclosure_check(&rel, &sd.dom, NULL, &e) != LS_OK) {
			fprintf(stderr, "check: %s\n", e.msg);
			return 1;
		}
		t_check[r] = bench_now_ms() - t0;
		rows = 0;
		for (int t = 0; t < LS_TABLE_COUNT_; t++)
			rows += rel.tables[t].n_rows;
		suppressed = rep.by_reason[DISCLOSURE_PRIMARY] +
		             rep.by_reason[DISCLOSURE_ZERO_HIDDEN] +
		             rep.by_reason[DISCLOSURE_COMPLEMENTARY];
		actions = rep.actions;
		ls_disclosure_report_fini(&rep);
		ls_summary_fini(&rel);

		in.params = &noi;
		in.secret = secret;
		in.budget = &budget;
		t0 = bench_now_ms();
		if (ls_disclosure_apply(&in, &rel, NULL, &e) != LS_OK) {
			fprintf(stderr, "noise: %s\n", e.msg);
			return 1;
		}
		t_noise[r] = bench_now_ms() - t0;
		ls_summary_fini(&rel);
	}

	year_thr = bench_now_ms();
	for (int mo = 0; mo < months; mo++) {
		struct disclosure_input in = {&m[mo].raw, &sd.dom, &thr,
		                              NULL,       0,       NULL};
		struct ls_summary rel;
		struct ls_errinfo e;
		if (ls_disclosure_apply(&in, &rel, NULL, &e) != LS_OK)
			return 1;
		ls_summary_fini(&rel);
	}
	year_thr = bench_now_ms() - year_thr;

	{
		double c = bench_median(t_count, reps),
		       th = bench_median(t_thr, reps);
		double no = bench_median(t_noise, reps),
		       ch = bench_median(t_check, reps);
		printf("### Disclosure control (core/disclosure)\n\n");
		printf("One month of %zu synthetic signals (%s), full "
		       "taxonomy; median of %d runs. Baseline: counting the "
		       "same signals into the raw summary in memory.\n\n",
		       per_month, quick ? "BENCH_QUICK" : "Ghent-size", reps);
		printf("| step | time | vs baseline |\n|---|---:|---:|\n");
		printf("| count signals into the raw summary (baseline) | "
		       "%.2f ms | 1.0x |\n",
		       c);
		printf(
		    "| threshold mode, with notes for the preview | %.2f ms | "
		    "%.2fx |\n",
		    th, th / c);
		printf("| noise mode: %zu keyed draws + notes | %.2f ms | "
		       "%.2fx |\n",
		       (size_t)(2 * 18 * 38), no, no / c);
		printf("| receiver's check of the threshold release | %.2f ms "
		       "| %.2fx |\n",
		       ch, ch / c);
		printf("| a year: 12 months, threshold mode, no notes (vs "
		       "counting "
		       "12 months) | %.2f ms | %.2fx |\n\n",
		       year_thr, year_thr / year_count);
		printf("Threshold release: %zu rows, %zu suppressed cells "
		       "(both measures), %zu protective steps.\n\n",
		       rows, suppressed, actions);
		printf("Verdict: disclosure control of a whole year takes "
		       "%.0f ms, %s.\n",
		       year_thr,
		       year_thr < 1000 ? "well under a second"
		                       : "MORE than a second");
	}
	for (int mo = 0; mo < months; mo++)
		ls_summary_fini(&m[mo].raw);
	free(m);
	free(sig);
	return 0;
}
