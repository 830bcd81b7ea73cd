/*
 * Status body codec: software version, uptime, the retired key 2 (always
 * 0 from this software), last sync per peer, and named counters.
 * Everything is a code, a time or a count; nothing about signals.
 */
#include "proto/body.h"
#include "proto/field.h"

#include "common/alloc.h"

#include <string.h>

enum {
	K_SOFTWARE = 0,
	K_UPTIME = 1,
	K_LEGACY_CAPTURE = 2,
	K_PEERS = 3,
	K_COUNTERS = 4,
};
#define STATUS_REQUIRED 0x1fu
#define PEER_MIN 5    /* fixarray, node id (>= 2), fixint, code (>= 1) */
#define COUNTER_MIN 4 /* fixarray, code (>= 2), fixint */

static int software_valid(const char *s, size_t len)
{
	if (len < 1 || len > LS_SOFTWARE_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || c == '.' || c == '+' ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static int time_or_zero(int64_t t)
{
	return t == 0 || (t >= LS_TIME_MIN && t < LS_TIME_MAX);
}

int proto_status_validate(const struct ls_status *s, struct ls_errinfo *e)
{
	if (!software_valid(s->software,
	                    strnlen(s->software, sizeof s->software)))
		return ls_errf(e, LS_EINVAL, "status: bad software version");
	if (s->uptime > LS_SEQ_MAX || !time_or_zero(s->legacy_capture))
		return ls_errf(e, LS_EINVAL,
		               "status: uptime or key 2 out of range");
	if (s->n_peers > LS_STATUS_MAX_PEERS ||
	    (s->n_peers > 0 && s->peers == NULL))
		return ls_errf(e, LS_EINVAL, "status: too many peers");
	for (size_t i = 0; i < s->n_peers; i++) {
		const struct ls_status_peer *p = &s->peers[i];
		if (!proto_field_node_id_valid(
		        p->node_id, strnlen(p->node_id, LS_NODE_ID_SIZE)) ||
		    !time_or_zero(p->last_sync) ||
		    !proto_field_code_valid(p->result,
		                            strnlen(p->result, LS_CODE_SIZE)))
			return ls_errf(e, LS_EINVAL, "status: peer %zu invalid",
			               i);
		if (i > 0 && strcmp(s->peers[i - 1].node_id, p->node_id) >= 0)
			return ls_errf(e, LS_EINVAL,
			               "status: peers not sorted and unique at "
			               "%s",
			               p->node_id);
	}
	if (s->n_counters > LS_STATUS_MAX_COUNTERS)
		return ls_errf(e, LS_EINVAL, "status: too many counters");
	for (size_t i = 0; i < s->n_counters; i++) {
		const struct ls_status_counter *c = &s->counters[i];
		if (!proto_field_code_valid(c->name,
		                            strnlen(c->name, LS_CODE_SIZE)) ||
		    c->value > LS_SEQ_MAX)
			return ls_errf(e, LS_EINVAL,
			               "status: counter %zu invalid", i);
		if (i > 0 && strcmp(s->counters[i - 1].name, c->name) >= 0)
			return ls_errf(e, LS_EINVAL,
			               "status: counters not sorted and unique "
			               "at %s",
			               c->name);
	}
	return LS_OK;
}

int proto_status_counter_private(const char *name)
{
	return strncmp(name, "signal", 6) == 0 ||
	       strncmp(name, "capture", 7) == 0;
}

void proto_status_fini(struct ls_status *s)
{
	ls_free(s->peers);
	memset(s, 0, sizeof *s);
}

static int status_validate(const struct ls_doc *d, struct ls_errinfo *e)
{
	return proto_status_validate(&d->body.status, e);
}

static void status_encode(struct mp_writer *w, const struct ls_doc *d)
{
	const struct ls_status *s = &d->body.status;
	proto_mp_write_map(w, 5);
	proto_mp_write_uint(w, K_SOFTWARE);
	proto_mp_write_cstr(w, s->software);
	proto_mp_write_uint(w, K_UPTIME);
	proto_mp_write_uint(w, s->uptime);
	proto_mp_write_uint(w, K_LEGACY_CAPTURE);
	proto_mp_write_int(w, s->legacy_capture);
	proto_mp_write_uint(w, K_PEERS);
	proto_mp_write_array(w, (uint32_t)s->n_peers);
	for (size_t i = 0; i < s->n_peers; i++) {
		proto_mp_write_array(w, 3);
		proto_mp_write_cstr(w, s->peers[i].node_id);
		proto_mp_write_int(w, s->peers[i].last_sync);
		proto_mp_write_cstr(w, s->peers[i].result);
	}
	proto_mp_write_uint(w, K_COUNTERS);
	proto_mp_write_array(w, (uint32_t)s->n_counters);
	for (size_t i = 0; i < s->n_counters; i++) {
		proto_mp_write_array(w, 2);
		proto_mp_write_cstr(w, s->counters[i].name);
		proto_mp_write_uint(w, s->counters[i].value);
	}
}

static int peers_read(struct mp_reader *r, struct ls_status *s,
                      struct ls_errinfo *e)
{
	uint32_t n;
	FIELD_TRY(proto_mp_read_array(r, LS_STATUS_MAX_PEERS, PEER_MIN, &n),
	          "status: peers");
	if (n == 0)
		return LS_OK;
	s->peers = ls_calloc(n, sizeof *s->peers);
	if (s->peers == NULL)
		return proto_field_err(e, LS_ENOMEM, r, "status: peers");
	s->n_peers = n;
	for (uint32_t i = 0; i < n; i++) {
		struct ls_status_peer *p = &s->peers[i];
		FIELD_TRY(proto_mp_read_array_exact(r, 3), "status: peer %u",
		          i);
		FIELD_TRY(proto_field_read_node_id(r, p->node_id),
		          "status: peer %u node id", i);
		FIELD_TRY(proto_mp_read_int(r, 0, LS_TIME_MAX, &p->last_sync),
		          "status: peer %u last_sync", i);
		FIELD_TRY(proto_field_read_code(r, p->result, 0),
		          "status: peer %u result", i);
	}
	return LS_OK;
}

static int counters_read(struct mp_reader *r, struct ls_status *s,
                         struct ls_errinfo *e)
{
	uint32_t n;
	FIELD_TRY(
	    proto_mp_read_array(r, LS_STATUS_MAX_COUNTERS, COUNTER_MIN, &n),
	    "status: counters");
	s->n_counters = n;
	for (uint32_t i = 0; i < n; i++) {
		struct ls_status_counter *c = &s->counters[i];
		FIELD_TRY(proto_mp_read_array_exact(r, 2), "status: counter %u",
		          i);
		FIELD_TRY(proto_field_read_code(r, c->name, 0),
		          "status: counter %u name", i);
		FIELD_TRY(proto_mp_read_uint(r, 0, LS_SEQ_MAX, &c->value),
		          "status: counter %u value", i);
	}
	return LS_OK;
}

static int status_decode(struct mp_reader *r, struct ls_doc *d,
                         struct ls_errinfo *e)
{
	struct ls_status *s = &d->body.status;
	struct mp_map m;
	int key, rc;

	FIELD_TRY(proto_mp_map_begin(r, &m, MP_KEY_MAX + 1), "status");
	for (;;) {
		const char *str;
		size_t len;
		FIELD_TRY(proto_mp_map_key(r, &m, &key), "status: key");
		if (key < 0)
			break;
		rc = LS_OK;
		switch (key) {
		case K_SOFTWARE:
			FIELD_TRY(
			    proto_mp_read_str(r, LS_SOFTWARE_MAX, &str, &len),
			    "status: software");
			if (!software_valid(str, len))
				return proto_field_err(e, LS_EDECODE, r,
				                       "status: software");
			memcpy(s->software, str, len);
			s->software[len] = '\0';
			break;
		case K_UPTIME:
			FIELD_TRY(
			    proto_mp_read_uint(r, 0, LS_SEQ_MAX, &s->uptime),
			    "status: uptime");
			break;
		case K_LEGACY_CAPTURE:
			FIELD_TRY(proto_mp_read_int(r, 0, LS_TIME_MAX,
			                            &s->legacy_capture),
			          "status: key 2");
			break;
		case K_PEERS:
			rc = peers_read(r, s, e);
			break;
		case K_COUNTERS:
			rc = counters_read(r, s, e);
			break;
		default:
			rc = proto_field_unknown(e, r, key, "status");
			break;
		}
		if (rc != LS_OK)
			return rc;
	}
	rc = proto_field_map_done(e, r, &m, STATUS_REQUIRED, "status");
	if (rc != LS_OK)
		return rc;
	rc = status_validate(d, e);
	return proto_field_invalid(e, rc);
}

static void status_fini(struct ls_doc *d)
{
	proto_status_fini(&d->body.status);
}

const struct proto_body_codec proto_body_status = {
    .type = LS_DOC_STATUS,
    .name = "status",
    .authors = PROTO_AUTHOR_MUNICIPALITY | PROTO_AUTHOR_AGGREGATOR,
    .validate = status_validate,
    .encode = status_encode,
    .decode = status_decode,
    .fini = status_fini,
};
