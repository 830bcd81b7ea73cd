/*
 * Trends: slopes (see core/trends_internal.h for the module's files).
 */
#include "core/trends.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- slopes ---------------------------------------------------------- */

/* One-sided 95% quantiles of Student's t for 1..30 degrees of freedom. */
static const double t95[30] = {
    6.314, 2.920, 2.353, 2.132, 2.015, 1.943, 1.895, 1.860, 1.833, 1.812,
    1.796, 1.782, 1.771, 1.761, 1.753, 1.746, 1.740, 1.734, 1.729, 1.725,
    1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697};

static double t_quantile(size_t df)
{
	if (df == 0)
		return t95[0];
	if (df <= 30)
		return t95[df - 1];
	return TRENDS_Z90 + (t95[29] - TRENDS_Z90) * 30.0 / (double)df;
}

int ls_trends_slope(const double *lo, const double *hi, const double *var,
                 size_t n, struct ls_trends_slope *out)
{
	double xbar = (double)(n - 1) / 2.0, sxx = 0, ybar = 0, sxy = 0;
	double sse = 0, nvar = 0, se_res, eps;
	memset(out, 0, sizeof *out);
	if (n < TRENDS_MIN_GROWTH_PERIODS)
		return LS_EINVAL;
	for (size_t i = 0; i < n; i++) {
		double dx = (double)i - xbar;
		sxx += dx * dx;
		ybar += (lo[i] + hi[i]) / 2.0;
	}
	ybar /= (double)n;
	for (size_t i = 0; i < n; i++) {
		double dx = (double)i - xbar, w = dx / sxx;
		double y = (lo[i] + hi[i]) / 2.0;
		sxy += dx * (y - ybar);
		/* The OLS slope is sum w_i y_i: its extremes over the box
		 * take each y_i at the end its weight's sign favours. */
		out->box_lo += w * (w > 0 ? lo[i] : hi[i]);
		out->box_hi += w * (w > 0 ? hi[i] : lo[i]);
		if (var != NULL)
			nvar += w * w * var[i];
	}
	out->n = n;
	out->mid = sxy / sxx;
	for (size_t i = 0; i < n; i++) {
		double y = (lo[i] + hi[i]) / 2.0;
		double r = y - (ybar + out->mid * ((double)i - xbar));
		sse += r * r;
	}
	se_res = sqrt(sse / (double)(n - 2) / sxx);
	/* The residuals already carry the noise; the noise that was added
	 * on purpose is a floor for the slope's uncertainty all the same,
	 * since a few points can scatter less than their noise. */
	out->se = se_res > sqrt(nvar) ? se_res : sqrt(nvar);
	out->t = t_quantile(n - 2);
	out->lo = out->box_lo - out->t * out->se;
	out->hi = out->box_hi + out->t * out->se;
	out->level = ybar < 1.0 ? 1.0 : ybar;
	/* A flat series can come out at +-1e-17 from rounding: a direction
	 * needs a slope that is not zero at the scale of the level. */
	eps = 1e-9 * out->level;
	out->direction = out->lo > eps ? 1 : out->hi < -eps ? -1 : 0;
	return LS_OK;
}

uint32_t ls_trends_rising_since(const double *mid, size_t n)
{
	double best_sse = INFINITY, best_b = 0;
	size_t best = 0;
	if (n < 2)
		return 0;
	/* y = a + b * max(0, i - c): a simple regression on the hinge
	 * variable, for every start c; the start with the least squared
	 * error wins (the earliest on ties). */
	for (size_t c = 0; c + 1 < n; c++) {
		double xbar = 0, ybar = 0, sxx = 0, sxy = 0, sse = 0, b, a;
		for (size_t i = 0; i < n; i++) {
			xbar += i > c ? (double)(i - c) : 0.0;
			ybar += mid[i];
		}
		xbar /= (double)n;
		ybar /= (double)n;
		for (size_t i = 0; i < n; i++) {
			double x = i > c ? (double)(i - c) : 0.0;
			sxx += (x - xbar) * (x - xbar);
			sxy += (x - xbar) * (mid[i] - ybar);
		}
		if (sxx <= 0)
			continue;
		b = sxy / sxx;
		a = ybar - b * xbar;
		for (size_t i = 0; i < n; i++) {
			double x = i > c ? (double)(i - c) : 0.0;
			double r = mid[i] - (a + b * x);
			sse += r * r;
		}
		if (c == 0 || sse < best_sse - 1e-9 * (1.0 + best_sse)) {
			best_sse = sse;
			best = c;
			best_b = b;
		}
	}
	if (!(best_b > 0))
		return 0;
	return (uint32_t)(n - 1 - best);
}
