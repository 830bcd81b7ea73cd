/*
 * Policy body codec, the ranges of disclosure parameters, and the check of
 * a summary against the policy in force.
 *
 * "Stricter, never looser": a summary must use the policy's mode; in
 * threshold mode its k may be larger, in noise mode its epsilon smaller
 * and its withhold threshold larger; its persons cap may be lower. It must
 * cover one policy period, aligned to the calendar (a quarter starts in
 * January, April, July or October), and may be created only once that
 * period has ended plus the settle delay, so a released period never
 * changes.
 */
#include "proto/body.h"
#include "proto/field.h"

#include <string.h>

enum { K_PARAMS = 0, K_PERIOD_MONTHS = 1, K_SETTLE_DAYS = 2 };
#define POLICY_REQUIRED 0x7u

int proto_params_validate(const struct ls_disclosure_params *p,
                          struct ls_errinfo *e)
{
	if (p->persons_cap < 1 || p->persons_cap > LS_PERSONS_CAP_MAX)
		return ls_errf(e, LS_EINVAL, "persons_cap out of range");
	switch (p->mode) {
	case LS_MODE_THRESHOLD:
		if (p->k < LS_K_MIN || p->k > LS_K_MAX)
			return ls_errf(e, LS_EINVAL,
			               "threshold k must be %d..%d", LS_K_MIN,
			               LS_K_MAX);
		if (p->epsilon_milli != 0 || p->withhold_below != 0)
			return ls_errf(e, LS_EINVAL,
			               "threshold mode has no epsilon or "
			               "withhold threshold");
		return LS_OK;
	case LS_MODE_NOISE:
		if (p->epsilon_milli < 1 ||
		    p->epsilon_milli > LS_EPSILON_MILLI_MAX)
			return ls_errf(e, LS_EINVAL,
			               "epsilon_milli must be 1..%d",
			               LS_EPSILON_MILLI_MAX);
		if (p->k > LS_K_MAX || p->withhold_below > LS_WITHHOLD_MAX)
			return ls_errf(e, LS_EINVAL,
			               "k or withhold_below out of range");
		return LS_OK;
	default:
		return ls_errf(e, LS_EINVAL, "unknown disclosure mode %u",
		               p->mode);
	}
}

static int period_months_valid(uint32_t m)
{
	return m == 1 || m == 2 || m == 3 || m == 4 || m == 6 || m == 12;
}

int proto_policy_validate(const struct ls_policy *p, struct ls_errinfo *e)
{
	int rc = proto_params_validate(&p->params, e);
	if (rc != LS_OK)
		return rc;
	if (!period_months_valid(p->period_months))
		return ls_errf(e, LS_EINVAL,
		               "period_months must be 1, 2, 3, 4, 6 or 12");
	if (p->settle_days > LS_SETTLE_DAYS_MAX)
		return ls_errf(e, LS_EINVAL, "settle_days must be 0..%d",
		               LS_SETTLE_DAYS_MAX);
	return LS_OK;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (the well-known era-based algorithm; exact integer arithmetic). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t proto_period_end(const struct ls_period *p)
{
	int64_t months = (int64_t)p->year * 12 + (p->month - 1) + p->months;
	return days_from_civil(months / 12, months % 12 + 1, 1) * 86400;
}

int proto_summary_check_policy(const struct ls_summary *s,
                               const struct ls_policy *p, int64_t created,
                               struct ls_errinfo *e)
{
	const struct ls_disclosure_params *sp = &s->params, *pp = &p->params;
	int64_t release;

	if (sp->mode != pp->mode)
		return ls_errf(e, LS_EPOLICY, "summary mode %u, policy mode %u",
		               sp->mode, pp->mode);
	if (sp->mode == LS_MODE_THRESHOLD && sp->k < pp->k)
		return ls_errf(e, LS_EPOLICY, "summary k %u below policy k %u",
		               sp->k, pp->k);
	if (sp->mode == LS_MODE_NOISE &&
	    (sp->epsilon_milli > pp->epsilon_milli ||
	     sp->withhold_below < pp->withhold_below))
		return ls_errf(e, LS_EPOLICY,
		               "summary epsilon %u/withhold %u looser than "
		               "policy %u/%u",
		               sp->epsilon_milli, sp->withhold_below,
		               pp->epsilon_milli, pp->withhold_below);
	if (sp->persons_cap > pp->persons_cap)
		return ls_errf(e, LS_EPOLICY,
		               "summary persons_cap %u above policy %u",
		               sp->persons_cap, pp->persons_cap);
	if ((uint32_t)s->period.months != p->period_months ||
	    (s->period.month - 1) % s->period.months != 0)
		return ls_errf(e, LS_EPOLICY,
		               "period %04d-%02d+%d is not a policy period of "
		               "%u months",
		               s->period.year, s->period.month,
		               s->period.months, p->period_months);
	release =
	    proto_period_end(&s->period) + (int64_t)p->settle_days * 86400;
	if (created < release)
		return ls_errf(e, LS_EPOLICY,
		               "released before its period closed and settled "
		               "(created %lld, allowed from %lld)",
		               (long long)created, (long long)release);
	return LS_OK;
}

int body_params_read(struct mp_reader *r, struct ls_disclosure_params *p,
                     const char *what, struct ls_errinfo *e)
{
	uint32_t mode;
	FIELD_TRY(mp_read_array_exact(r, 5), "%s: params", what);
	FIELD_TRY(mp_read_u32(r, 0, 255, &mode), "%s: mode", what);
	p->mode = (uint8_t)mode;
	FIELD_TRY(mp_read_u32(r, 0, UINT32_MAX, &p->k), "%s: k", what);
	FIELD_TRY(mp_read_u32(r, 0, UINT32_MAX, &p->epsilon_milli),
	          "%s: epsilon_milli", what);
	FIELD_TRY(mp_read_u32(r, 0, UINT32_MAX, &p->withhold_below),
	          "%s: withhold_below", what);
	FIELD_TRY(mp_read_u32(r, 0, UINT32_MAX, &p->persons_cap),
	          "%s: persons_cap", what);
	return LS_OK;
}

void body_params_write(struct mp_writer *w,
                       const struct ls_disclosure_params *p)
{
	mp_write_array(w, 5);
	mp_write_uint(w, p->mode);
	mp_write_uint(w, p->k);
	mp_write_uint(w, p->epsilon_milli);
	mp_write_uint(w, p->withhold_below);
	mp_write_uint(w, p->persons_cap);
}

static int policy_validate(const struct ls_doc *d, struct ls_errinfo *e)
{
	int rc = proto_policy_validate(&d->body.policy, e);
	if (rc != LS_OK && e != NULL) {
		char msg[sizeof e->msg];
		memcpy(msg, e->msg, sizeof msg);
		ls_errf(e, rc, "policy: %s", msg);
	}
	return rc;
}

static void policy_encode(struct mp_writer *w, const struct ls_doc *d)
{
	const struct ls_policy *p = &d->body.policy;
	mp_write_map(w, 3);
	mp_write_uint(w, K_PARAMS);
	body_params_write(w, &p->params);
	mp_write_uint(w, K_PERIOD_MONTHS);
	mp_write_uint(w, p->period_months);
	mp_write_uint(w, K_SETTLE_DAYS);
	mp_write_uint(w, p->settle_days);
}

static int policy_decode(struct mp_reader *r, struct ls_doc *d,
                         struct ls_errinfo *e)
{
	struct ls_policy *p = &d->body.policy;
	struct mp_map m;
	int key, rc;

	FIELD_TRY(mp_map_begin(r, &m, MP_KEY_MAX + 1), "policy");
	for (;;) {
		FIELD_TRY(mp_map_key(r, &m, &key), "policy: key");
		if (key < 0)
			break;
		switch (key) {
		case K_PARAMS:
			rc = body_params_read(r, &p->params, "policy", e);
			break;
		case K_PERIOD_MONTHS:
			FIELD_TRY(mp_read_u32(r, 1, 12, &p->period_months),
			          "policy: period_months");
			rc = LS_OK;
			break;
		case K_SETTLE_DAYS:
			FIELD_TRY(mp_read_u32(r, 0, LS_SETTLE_DAYS_MAX,
			                      &p->settle_days),
			          "policy: settle_days");
			rc = LS_OK;
			break;
		default:
			rc = field_unknown(e, r, key, "policy");
			break;
		}
		if (rc != LS_OK)
			return rc;
	}
	rc = field_map_done(e, r, &m, POLICY_REQUIRED, "policy");
	if (rc != LS_OK)
		return rc;
	rc = policy_validate(d, e);
	return field_invalid(e, rc);
}

static void policy_fini(struct ls_doc *d)
{
	memset(&d->body.policy, 0, sizeof d->body.policy);
}

const struct proto_body_codec proto_body_policy = {
    .type = LS_DOC_POLICY,
    .name = "policy",
    .authors = PROTO_AUTHOR_FEDERATION,
    .validate = policy_validate,
    .encode = policy_encode,
    .decode = policy_decode,
    .fini = policy_fini,
};
