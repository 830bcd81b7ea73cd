/*
 * Release policy rules: the built-in policy, the check of a policy and of
 * a release against it, the node's own (stricter) settings on top, and
 * the correction reasons.
 *
 * Every message is Dutch: an operator reads them (a policy draft, the
 * node's config, a correction), and so does whoever reads why a peer's
 * document was refused. core/disclosure's own checks are called without
 * an errinfo and their verdict is put in Dutch here.
 */
#include "core/policy.h"
#include "common/text.h"

#include <stdio.h>
#include <string.h>

void ls_policy_default(struct ls_policy *p, uint8_t mode)
{
	memset(p, 0, sizeof *p);
	ls_disclosure_params_default(&p->params);
	if (mode == LS_MODE_NOISE)
		p->params.mode = LS_MODE_NOISE;
	ls_disclosure_params_canonical(&p->params);
	p->period_months = LS_PERIOD_MONTHS_DEFAULT;
	p->settle_days = LS_SETTLE_DAYS_DEFAULT;
}

/*
 * core/disclosure's checks of the parameters speak to developers; an
 * operator (a federation policy draft, a node's config, a peer's policy in
 * a log) reads these Dutch lines, which state the values and the rules.
 */
static const char *mode_nl(int mode)
{
	return mode == LS_MODE_NOISE ? "ruis" : "drempel";
}

static int params_invalid(const struct ls_disclosure_params *p,
                          struct ls_errinfo *e)
{
	return ls_errf(
	    e, LS_EINVAL,
	    "ongeldige parameters voor openbaarmaking: modus %s, k = %u, "
	    "epsilon_milli = %u, withhold_below = %u, persons_cap = %u "
	    "(drempelmodus: k %u..%u, epsilon_milli en withhold_below 0; "
	    "ruismodus: k 0, epsilon_milli %u..%u, withhold_below 0..%u; "
	    "persons_cap 1..%u)",
	    p->mode == LS_MODE_NOISE || p->mode == LS_MODE_THRESHOLD
	        ? mode_nl(p->mode)
	        : "onbekend",
	    (unsigned)p->k, (unsigned)p->epsilon_milli,
	    (unsigned)p->withhold_below, (unsigned)p->persons_cap,
	    DISCLOSURE_K_MIN, DISCLOSURE_K_MAX, DISCLOSURE_EPSILON_MILLI_MIN,
	    DISCLOSURE_EPSILON_MILLI_MAX, DISCLOSURE_WITHHOLD_MAX,
	    (unsigned)DISCLOSURE_PERSONS_CAP_MAX);
}

static int params_looser(const struct ls_disclosure_params *p,
                         const struct ls_disclosure_params *fed,
                         struct ls_errinfo *e)
{
	return ls_errf(
	    e, LS_EPOLICY,
	    "de parameters (%smodus, k = %u, epsilon_milli = %u, "
	    "withhold_below = %u, persons_cap = %u) zijn soepeler dan of "
	    "anders dan het beleid van de federatie (%smodus, k = %u, "
	    "epsilon_milli = %u, withhold_below = %u, persons_cap = %u)",
	    mode_nl(p->mode), (unsigned)p->k, (unsigned)p->epsilon_milli,
	    (unsigned)p->withhold_below, (unsigned)p->persons_cap,
	    mode_nl(fed->mode), (unsigned)fed->k, (unsigned)fed->epsilon_milli,
	    (unsigned)fed->withhold_below, (unsigned)fed->persons_cap);
}

int ls_policy_check(const struct ls_policy *p, struct ls_errinfo *e)
{
	if (ls_disclosure_params_check_canonical(&p->params, NULL) != LS_OK)
		return params_invalid(&p->params, e);
	if (!ls_period_length_valid(p->period_months))
		return ls_errf(e, LS_EINVAL,
		               "period_months = %u: een periode duurt 1, 2, 3, "
		               "4, 6 of 12 maanden",
		               (unsigned)p->period_months);
	if (p->settle_days > LS_SETTLE_DAYS_MAX)
		return ls_errf(e, LS_EINVAL,
		               "settle_days = %u: hoogstens %d dagen",
		               (unsigned)p->settle_days, LS_SETTLE_DAYS_MAX);
	return LS_OK;
}

int64_t ls_policy_release_time(const struct ls_policy *p,
                               const struct ls_period *period)
{
	return ls_period_end_time(period) + (int64_t)p->settle_days * 86400;
}

int ls_policy_period_check(const struct ls_policy *p,
                           const struct ls_period *period, struct ls_errinfo *e)
{
	if (ls_period_check(period) != LS_OK ||
	    (uint32_t)period->months != p->period_months ||
	    !ls_period_aligned(period))
		return ls_errf(e, LS_EPOLICY,
		               "periode %04d-%02d+%d is geen periode van het "
		               "beleid (periodes van %u maand(en))",
		               (int)period->year, (int)period->month,
		               (int)period->months, (unsigned)p->period_months);
	return LS_OK;
}

int ls_policy_release_check(const struct ls_policy *p,
                            const struct ls_disclosure_params *params,
                            const struct ls_period *period, int64_t created,
                            struct ls_errinfo *e)
{
	int64_t release;
	int rc;
	if (ls_disclosure_params_stricter(params, &p->params, NULL) != LS_OK)
		return params_looser(params, &p->params, e);
	if ((rc = ls_policy_period_check(p, period, e)) != LS_OK)
		return rc;
	release = ls_policy_release_time(p, period);
	if (created < release)
		return ls_errf(e, LS_EPOLICY,
		               "vrijgegeven voor de periode afgesloten was en "
		               "de wachttijd voorbij was (gemaakt %lld, "
		               "toegelaten vanaf %lld)",
		               (long long)created, (long long)release);
	return LS_OK;
}

uint64_t ls_policy_budget_default(const struct ls_policy *p)
{
	uint64_t per_year;
	if (p->params.mode != LS_MODE_NOISE || p->period_months == 0)
		return 0;
	per_year = 12u / p->period_months;
	return (per_year + LS_BUDGET_CORRECTIONS_DEFAULT) *
	       (uint64_t)p->params.epsilon_milli;
}

void ls_policy_format_milli(uint64_t milli, char out[LS_MILLI_TEXT_SIZE])
{
	unsigned frac = (unsigned)(milli % 1000);
	int n = snprintf(out, LS_MILLI_TEXT_SIZE, "%llu",
	                 (unsigned long long)(milli / 1000));
	if (frac != 0 && n > 0 && n < LS_MILLI_TEXT_SIZE - 5) {
		snprintf(out + n, (size_t)(LS_MILLI_TEXT_SIZE - n), ",%03u",
		         frac);
		for (char *end = out + strlen(out) - 1; *end == '0'; end--)
			*end = '\0';
	}
}

/* ---- the node's own settings ----------------------------------------- */

void ls_policy_local_from_config(const struct ls_config *c,
                                 struct ls_policy_local *out)
{
	memset(out, 0, sizeof *out);
	out->mode = c->disclosure_mode;
	out->k = (uint32_t)c->disclosure_k;
	out->epsilon_milli = (uint32_t)c->disclosure_epsilon_milli;
	out->withhold_below = (uint32_t)c->disclosure_withhold_below;
	out->settle_days = (uint32_t)c->disclosure_settle_days;
	out->budget_milli = (uint64_t)c->disclosure_budget_milli;
}

/* The base the node's own [disclosure] may only tighten: the federation's
 * policy (whose mode the node must keep), or the default for its mode. */
static int effective_base(const struct ls_policy *federation,
                          const struct ls_policy_local *l,
                          struct ls_policy *base,
                          struct ls_policy_effective *out, struct ls_errinfo *e)
{
	int rc;
	if (federation != NULL) {
		rc = ls_policy_check(federation, e);
		if (rc != LS_OK) {
			char msg[sizeof e->msg];
			if (e != NULL) {
				memcpy(msg, e->msg, sizeof msg);
				ls_errf(e, LS_EINVAL,
				        "het beleid van de federatie is "
				        "ongeldig: %s",
				        msg);
			}
			return LS_EINVAL;
		}
		*base = *federation;
		if (l->mode != 0 && l->mode - 1 != base->params.mode)
			return ls_errf(
			    e, LS_EPOLICY,
			    "de federatie werkt in %smodus, maar [disclosure] "
			    "mode = %s in signaal.ini: een knooppunt kan de "
			    "modus van de federatie niet veranderen (zet mode "
			    "= federatie of overleg met de federatie)",
			    mode_nl(base->params.mode), mode_nl(l->mode - 1));
		out->from_federation = 1;
	} else {
		ls_policy_default(base, l->mode != 0
		                            ? (uint8_t)(l->mode - 1)
		                            : (uint8_t)LS_MODE_THRESHOLD);
	}
	return LS_OK;
}

/* Every local setting, each only stricter than base's. */
static int effective_tighten(const struct ls_policy_local *l,
                             const struct ls_policy *base,
                             struct ls_policy_effective *out,
                             struct ls_errinfo *e)
{
	struct ls_policy *p = &out->policy;
	if (p->params.mode == LS_MODE_THRESHOLD && l->k != 0) {
		if (l->k < base->params.k)
			return ls_errf(
			    e, LS_EPOLICY,
			    "[disclosure] k = %u is soepeler dan de "
			    "k = %u van %s: een knooppunt mag strenger "
			    "zijn, nooit soepeler",
			    (unsigned)l->k, (unsigned)base->params.k,
			    out->from_federation ? "de federatie"
			                         : "de standaard");
		p->params.k = l->k;
	}
	if (p->params.mode == LS_MODE_NOISE && l->epsilon_milli != 0) {
		if (l->epsilon_milli > base->params.epsilon_milli)
			return ls_errf(
			    e, LS_EPOLICY,
			    "[disclosure] epsilon_milli = %u is "
			    "soepeler dan de %u van %s: een knooppunt "
			    "mag strenger zijn, nooit soepeler",
			    (unsigned)l->epsilon_milli,
			    (unsigned)base->params.epsilon_milli,
			    out->from_federation ? "de federatie"
			                         : "de standaard");
		p->params.epsilon_milli = l->epsilon_milli;
	}
	if (p->params.mode == LS_MODE_NOISE && l->withhold_below != 0) {
		if (l->withhold_below < base->params.withhold_below)
			return ls_errf(
			    e, LS_EPOLICY,
			    "[disclosure] withhold_below = %u is "
			    "soepeler dan de %u van %s: een knooppunt "
			    "mag strenger zijn, nooit soepeler",
			    (unsigned)l->withhold_below,
			    (unsigned)base->params.withhold_below,
			    out->from_federation ? "de federatie"
			                         : "de standaard");
		p->params.withhold_below = l->withhold_below;
	}
	if (l->settle_days != 0) {
		if (l->settle_days < base->settle_days)
			return ls_errf(
			    e, LS_EPOLICY,
			    "[disclosure] settle_days = %u is korter "
			    "dan de %u dagen van %s: een knooppunt mag "
			    "strenger zijn, nooit soepeler",
			    (unsigned)l->settle_days,
			    (unsigned)base->settle_days,
			    out->from_federation ? "de federatie"
			                         : "de standaard");
		p->settle_days = l->settle_days;
	}
	return LS_OK;
}

int ls_policy_effective(const struct ls_policy *federation,
                        const struct ls_policy_local *local,
                        struct ls_policy_effective *out, struct ls_errinfo *e)
{
	static const struct ls_policy_local none;
	const struct ls_policy_local *l = local != NULL ? local : &none;
	struct ls_policy base, *p = &out->policy;
	uint64_t budget_max;
	int rc;

	memset(out, 0, sizeof *out);
	if (l->mode > 1 + LS_MODE_NOISE)
		return ls_errf(e, LS_EINVAL, "onbekende modus %u",
		               (unsigned)l->mode);
	if ((rc = effective_base(federation, l, &base, out, e)) != LS_OK)
		return rc;
	*p = base;
	if ((rc = effective_tighten(l, &base, out, e)) != LS_OK)
		return rc;
	budget_max = ls_policy_budget_default(&base);
	out->budget_milli = ls_policy_budget_default(p);
	if (p->params.mode == LS_MODE_NOISE && l->budget_milli != 0) {
		if (l->budget_milli > budget_max)
			return ls_errf(e, LS_EPOLICY,
			               "[disclosure] budget_milli = %llu is "
			               "ruimer dan het jaarbudget %llu van %s: "
			               "een knooppunt mag strenger zijn, nooit "
			               "soepeler",
			               (unsigned long long)l->budget_milli,
			               (unsigned long long)budget_max,
			               out->from_federation ? "de federatie"
			                                    : "de standaard");
		out->budget_milli = l->budget_milli;
	}
	/* Belt and braces: the result must pass the rules it was built
	 * to pass. */
	if ((rc = ls_policy_check(p, NULL)) != LS_OK)
		return ls_errf(e, LS_EPOLICY,
		               "[disclosure] geeft ongeldige parameters");
	if (ls_disclosure_params_stricter(&p->params, &base.params, NULL) !=
	    LS_OK)
		return params_looser(&p->params, &base.params, e);
	return LS_OK;
}

/* ---- corrections ----------------------------------------------------- */

static const struct ls_correction_reason reasons[] = {
    {"invoerfout", "gegevens van signalen waren verkeerd ingevoerd"},
    {"codering", "verkeerde codes (thema, leeftijd, doelgroep, sector of "
                 "probleemtype)"},
    {"dubbel", "signalen waren dubbel geregistreerd"},
    {"gewist", "signalen zijn gewist (bv. op verzoek van de betrokkene)"},
    {"periode", "signalen stonden in de verkeerde periode"},
    {"software", "een fout in de software die de samenvatting maakte"},
    {"beleid", "opnieuw vrijgegeven onder het beleid dat nu geldt (de "
               "vorige telde niet mee: gemaakt voor de node het nieuwe "
               "beleid kende)"},
};

const struct ls_correction_reason *ls_correction_reasons(size_t *n)
{
	*n = sizeof reasons / sizeof reasons[0];
	return reasons;
}

const struct ls_correction_reason *ls_correction_reason_find(const char *code)
{
	if (code == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (strcmp(reasons[i].code, code) == 0)
			return &reasons[i];
	return NULL;
}

int ls_correction_justification_check(const char *text, struct ls_errinfo *e)
{
	char why[160];
	size_t len;
	int visible = 0;
	if (text == NULL || text[0] == '\0')
		return ls_errf(e, LS_EINVAL,
		               "een correctie vraagt een toelichting "
		               "(--toelichting)");
	len = strlen(text);
	if (len > LS_JUSTIFICATION_MAX)
		return ls_errf(e, LS_ELIMIT,
		               "de toelichting is %zu bytes lang, hoogstens %d",
		               len, LS_JUSTIFICATION_MAX);
	if (!ls_utf8_valid(text, len))
		return ls_errf(e, LS_EINVAL,
		               "de toelichting is geen geldige UTF-8-tekst");
	if (ls_text_chars_flaw(text, len, 1, why, sizeof why) != NULL)
		return ls_errf(e, LS_EINVAL, "de toelichting %s", why);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			return ls_errf(e, LS_EINVAL,
			               "de toelichting bevat stuurtekens");
		if (c != ' ' && c != '\n' && c != '\t')
			visible = 1;
	}
	if (!visible)
		return ls_errf(e, LS_EINVAL, "de toelichting is leeg");
	return LS_OK;
}
