/*
 * Policy body codec, and the wire format's names for the release rules of
 * core/policy.h (the parameter ranges, "stricter, never looser", periods
 * aligned to the calendar, released only after the period ended plus the
 * settle delay): proto/ decodes, core/ decides.
 */
#include "proto/body.h"
#include "proto/field.h"

#include <string.h>

enum { K_PARAMS = 0, K_PERIOD_MONTHS = 1, K_SETTLE_DAYS = 2 };
#define POLICY_REQUIRED 0x7u

int proto_params_validate(const struct ls_disclosure_params *p,
                          struct ls_errinfo *e)
{
	return ls_disclosure_params_check_canonical(p, e);
}

int proto_policy_validate(const struct ls_policy *p, struct ls_errinfo *e)
{
	return ls_policy_check(p, e);
}

int64_t proto_period_end(const struct ls_period *p)
{
	return ls_period_end_time(p);
}

int proto_summary_check_policy(const struct ls_summary *s,
                               const struct ls_policy *p, int64_t created,
                               struct ls_errinfo *e)
{
	return ls_policy_release_check(p, &s->params, &s->period, created, e);
}

int proto_body_params_read(struct mp_reader *r, struct ls_disclosure_params *p,
                           const char *what, struct ls_errinfo *e)
{
	uint32_t mode;
	FIELD_TRY(proto_mp_read_array_exact(r, 5), "%s: params", what);
	FIELD_TRY(proto_mp_read_u32(r, 0, 255, &mode), "%s: mode", what);
	p->mode = (uint8_t)mode;
	FIELD_TRY(proto_mp_read_u32(r, 0, UINT32_MAX, &p->k), "%s: k", what);
	FIELD_TRY(proto_mp_read_u32(r, 0, UINT32_MAX, &p->epsilon_milli),
	          "%s: epsilon_milli", what);
	FIELD_TRY(proto_mp_read_u32(r, 0, UINT32_MAX, &p->withhold_below),
	          "%s: withhold_below", what);
	FIELD_TRY(proto_mp_read_u32(r, 0, UINT32_MAX, &p->persons_cap),
	          "%s: persons_cap", what);
	return LS_OK;
}

void proto_body_params_write(struct mp_writer *w,
                             const struct ls_disclosure_params *p)
{
	proto_mp_write_array(w, 5);
	proto_mp_write_uint(w, p->mode);
	proto_mp_write_uint(w, p->k);
	proto_mp_write_uint(w, p->epsilon_milli);
	proto_mp_write_uint(w, p->withhold_below);
	proto_mp_write_uint(w, p->persons_cap);
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
	proto_mp_write_map(w, 3);
	proto_mp_write_uint(w, K_PARAMS);
	proto_body_params_write(w, &p->params);
	proto_mp_write_uint(w, K_PERIOD_MONTHS);
	proto_mp_write_uint(w, p->period_months);
	proto_mp_write_uint(w, K_SETTLE_DAYS);
	proto_mp_write_uint(w, p->settle_days);
}

static int policy_decode(struct mp_reader *r, struct ls_doc *d,
                         struct ls_errinfo *e)
{
	struct ls_policy *p = &d->body.policy;
	struct mp_map m;
	int key, rc;

	FIELD_TRY(proto_mp_map_begin(r, &m, MP_KEY_MAX + 1), "policy");
	for (;;) {
		FIELD_TRY(proto_mp_map_key(r, &m, &key), "policy: key");
		if (key < 0)
			break;
		switch (key) {
		case K_PARAMS:
			rc = proto_body_params_read(r, &p->params, "policy", e);
			break;
		case K_PERIOD_MONTHS:
			FIELD_TRY(
			    proto_mp_read_u32(r, 1, 12, &p->period_months),
			    "policy: period_months");
			rc = LS_OK;
			break;
		case K_SETTLE_DAYS:
			FIELD_TRY(proto_mp_read_u32(r, 0, LS_SETTLE_DAYS_MAX,
			                            &p->settle_days),
			          "policy: settle_days");
			rc = LS_OK;
			break;
		default:
			rc = proto_field_unknown(e, r, key, "policy");
			break;
		}
		if (rc != LS_OK)
			return rc;
	}
	rc = proto_field_map_done(e, r, &m, POLICY_REQUIRED, "policy");
	if (rc != LS_OK)
		return rc;
	rc = policy_validate(d, e);
	return proto_field_invalid(e, rc);
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
