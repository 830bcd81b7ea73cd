/*
 * Dossier phases: the transition table is data, not code, so that it can
 * be read, documented and tested as a table.
 */
#include "core/dossier.h"
#include "common/text.h"

#include <stdio.h>
#include <string.h>

static const char *const phase_names[LS_PHASE_COUNT_] = {
    [LS_PHASE_OPMERKEN] = "opmerken",
    [LS_PHASE_VERZAMELEN] = "verzamelen",
    [LS_PHASE_BUNDELEN] = "bundelen",
    [LS_PHASE_ANALYSEREN] = "analyseren",
    [LS_PHASE_RAPPORTEREN] = "rapporteren",
    [LS_PHASE_BESLISSING] = "beslissing",
    [LS_PHASE_ACTIE] = "actie",
    [LS_PHASE_FEEDBACK] = "feedback",
};

#define P(x) (1u << LS_PHASE_##x)

/* allowed[from] = set of phases `from` may move to. */
static const unsigned allowed[LS_PHASE_COUNT_] = {
    /* noticed: start collecting */
    [LS_PHASE_OPMERKEN] = P(VERZAMELEN),
    /* collecting: bundle, or drop back to a mere observation */
    [LS_PHASE_VERZAMELEN] = P(OPMERKEN) | P(BUNDELEN),
    /* bundling: analyse, or collect more first */
    [LS_PHASE_BUNDELEN] = P(VERZAMELEN) | P(ANALYSEREN),
    /* analysing: report when structural, else collect more */
    [LS_PHASE_ANALYSEREN] = P(VERZAMELEN) | P(RAPPORTEREN),
    /* reported: the policy decides */
    [LS_PHASE_RAPPORTEREN] = P(BESLISSING),
    /* decision: act, or decide not to act and give feedback */
    [LS_PHASE_BESLISSING] = P(ACTIE) | P(FEEDBACK),
    /* action: give feedback on what was done */
    [LS_PHASE_ACTIE] = P(FEEDBACK),
    /* feedback: the problem persists, collect again */
    [LS_PHASE_FEEDBACK] = P(VERZAMELEN),
};

#undef P

static const char *const criterion_names[LS_CRIT_COUNT] = {
    "duidelijk", "neutraal", "herkend", "gedeeld"};

const char *ls_phase_name(enum ls_phase phase)
{
	return (unsigned)phase < LS_PHASE_COUNT_ ? phase_names[phase] : "?";
}

int ls_phase_parse(const char *text, enum ls_phase *out)
{
	for (int i = 0; i < LS_PHASE_COUNT_; i++) {
		if (strcmp(text, phase_names[i]) == 0) {
			*out = (enum ls_phase)i;
			return LS_OK;
		}
	}
	return LS_EINVAL;
}

int ls_dossier_transition_allowed(enum ls_phase from, enum ls_phase to)
{
	if ((unsigned)from >= LS_PHASE_COUNT_ ||
	    (unsigned)to >= LS_PHASE_COUNT_)
		return 0;
	return (allowed[from] >> to) & 1u;
}

size_t ls_dossier_next_phases(enum ls_phase from, enum ls_phase *out,
                              size_t cap)
{
	size_t n = 0;
	for (int to = 0; to < LS_PHASE_COUNT_; to++) {
		if (!ls_dossier_transition_allowed(from, (enum ls_phase)to))
			continue;
		if (n < cap)
			out[n] = (enum ls_phase)to;
		n++;
	}
	return n;
}

unsigned ls_dossier_phase_criteria(enum ls_phase phase)
{
	/* Reporting a signal as structural, and everything after, needs
	 * all four criteria; the feedback phase after "decided not to act"
	 * is reached from beslissing, which already needed them. */
	return phase >= LS_PHASE_RAPPORTEREN && phase < LS_PHASE_COUNT_
	           ? LS_CRIT_ALL
	           : 0;
}

int ls_dossier_check_transition(enum ls_phase from, enum ls_phase to,
                                unsigned criteria, struct ls_errinfo *e)
{
	unsigned missing;
	if (!ls_dossier_transition_allowed(from, to)) {
		enum ls_phase next[LS_PHASE_COUNT_];
		size_t n = ls_dossier_next_phases(from, next, LS_PHASE_COUNT_);
		char list[128] = "";
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				strncat(list, ", ",
				        sizeof list - strlen(list) - 1);
			strncat(list, ls_phase_name(next[i]),
			        sizeof list - strlen(list) - 1);
		}
		return ls_errf(e, LS_ESTATE,
		               "van fase %s naar %s mag niet; toegelaten: %s",
		               ls_phase_name(from), ls_phase_name(to), list);
	}
	missing = ls_dossier_phase_criteria(to) & ~criteria;
	if (missing != 0) {
		char list[64];
		ls_criteria_format(missing, list, sizeof list);
		return ls_errf(e, LS_ESTATE,
		               "naar fase %s gaat pas als het signaal "
		               "structureel is: nog niet voldaan: %s",
		               ls_phase_name(to), list);
	}
	return LS_OK;
}

const char *ls_criterion_name(unsigned bit)
{
	for (int i = 0; i < LS_CRIT_COUNT; i++)
		if (bit == (1u << i))
			return criterion_names[i];
	return "?";
}

int ls_criteria_parse(const char *text, unsigned *mask, struct ls_errinfo *e)
{
	unsigned m = 0;
	const char *p = text;
	if (strcmp(text, "alle") == 0) {
		*mask = LS_CRIT_ALL;
		return LS_OK;
	}
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int found = 0;
		for (int i = 0; i < LS_CRIT_COUNT; i++) {
			if (strlen(criterion_names[i]) == len &&
			    memcmp(p, criterion_names[i], len) == 0) {
				m |= 1u << i;
				found = 1;
			}
		}
		if (!found)
			return ls_errf(e, LS_EINVAL,
			               "onbekend criterium '%.*s' (duidelijk, "
			               "neutraal, herkend, gedeeld of alle)",
			               (int)(len > 40 ? 40 : len), p);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	*mask = m;
	return LS_OK;
}

void ls_criteria_format(unsigned mask, char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (int i = 0; i < LS_CRIT_COUNT; i++) {
		if (!(mask & (1u << i)))
			continue;
		used += (size_t)snprintf(out + used,
		                         used < size ? size - used : 0, "%s%s",
		                         used ? "," : "", criterion_names[i]);
		if (used >= size)
			return;
	}
	if (used == 0)
		ls_strlcpy(out, "geen", size);
}
