/*
 * Internals of the API layer (node/api*.c only, and its tests): the
 * per-request call state, the error table, the strict JSON and query
 * helpers every route uses, and the route handlers.
 *
 * A handler receives a struct api_call whose route, principal (the
 * authenticated token) and path segments are set. It answers through
 * node_api_reply_json() or node_api_fail() exactly once and returns what they
 * return. JSON values come from jansson; a body's strings stay valid as
 * long as the parsed document (c->doc), which the router frees after the
 * handler returned.
 */
#ifndef LS_NODE_API_INTERNAL_H
#define LS_NODE_API_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/period.h"
#include "core/signal.h"
#include "core/token.h"
#include "node/api.h"

/* X(name, status, code, Dutch message for end users). The code is the
 * stable machine-readable name (docs/API.md, "Errors"). */
#define API_ERRORS(X)                                                          \
	X(BAD_JSON, 400, "bad_json", "De gegevens zijn geen geldige JSON.")    \
	X(WRONG_TYPE, 400, "wrong_type", "Een veld heeft het verkeerde type.") \
	X(UNKNOWN_FIELD, 400, "unknown_field", "Onbekend veld.")               \
	X(FIELD_NOT_ALLOWED, 400, "field_not_allowed",                         \
	  "Dit veld kan niet via de API gezet worden.")                        \
	X(BAD_PARAMETER, 400, "bad_parameter", "Ongeldige parameter.")         \
	X(UNKNOWN_PARAMETER, 400, "unknown_parameter", "Onbekende parameter.") \
	X(UNAUTHENTICATED, 401, "unauthenticated",                             \
	  "Meld u aan met een toegangstoken.")                                 \
	X(INVALID_TOKEN, 401, "invalid_token",                                 \
	  "Dit toegangstoken is niet geldig.")                                 \
	X(TOKEN_REVOKED, 401, "token_revoked",                                 \
	  "Dit toegangstoken is ingetrokken.")                                 \
	X(TOKEN_EXPIRED, 401, "token_expired",                                 \
	  "Dit toegangstoken is verlopen.")                                    \
	X(FORBIDDEN, 403, "forbidden", "U mag dit niet met dit token.")        \
	X(NOT_FOUND, 404, "not_found", "Niet gevonden.")                       \
	X(METHOD_NOT_ALLOWED, 405, "method_not_allowed",                       \
	  "Deze methode is hier niet toegelaten.")                             \
	X(CONFLICT, 409, "conflict", "Dit kan nu niet.")                       \
	X(TOO_LARGE, 413, "too_large", "De gegevens zijn te groot.")           \
	X(UNSUPPORTED_MEDIA_TYPE, 415, "unsupported_media_type",               \
	  "Stuur de gegevens als JSON (Content-Type: application/json).")      \
	X(MISSING_FIELD, 422, "missing_field",                                 \
	  "Een verplicht veld ontbreekt.")                                     \
	X(INVALID_VALUE, 422, "invalid_value", "Een waarde is niet geldig.")   \
	X(UNKNOWN_CODE, 422, "unknown_code", "Onbekende code.")                \
	X(UNKNOWN_SIGNAL, 422, "unknown_signal", "Onbekend signaal.")          \
	X(KEY_REUSED, 422, "idempotency_key_reused",                           \
	  "Deze Idempotency-Key werd al gebruikt voor andere gegevens.")       \
	X(INTERNAL, 500, "internal",                                           \
	  "Er ging iets mis op het knooppunt. Probeer later opnieuw.")         \
	X(BUSY, 503, "busy",                                                   \
	  "Het knooppunt is even bezet. Probeer het zo opnieuw.")              \
	X(UNAVAILABLE, 503, "unavailable",                                     \
	  "Dit is op dit knooppunt niet beschikbaar.")                         \
	X(STORE_DAMAGED, 503, "store_damaged",                                 \
	  "De databank van dit knooppunt is beschadigd; er is niets "          \
	  "bewaard. Verwittig de beheerder.")                                  \
	X(DISK_FULL, 507, "disk_full",                                         \
	  "De schijf van dit knooppunt is vol; er is niets bewaard. "          \
	  "Verwittig de beheerder en probeer later opnieuw.")                  \
	X(STORE_READ_ONLY, 503, "store_read_only",                             \
	  "De databank van dit knooppunt kan niet schrijven (alleen-lezen of " \
	  "een schijffout); er is niets bewaard. Verwittig de beheerder en "   \
	  "probeer later opnieuw.")

enum api_error {
#define API_ERR_ENUM_(name, status, code, nl) API_E_##name,
	API_ERRORS(API_ERR_ENUM_)
#undef API_ERR_ENUM_
	    API_E_COUNT_
};

const char *node_api_error_code(enum api_error err);

/* Who is asking: the token's description (role 0: nobody). */
struct api_principal {
	int role; /* enum ls_token_role, 0 when not authenticated */
	char id[LS_TOKEN_ID_HEX_SIZE];
	char organisation[LS_ORGANISATION_MAX + 1]; /* "" if none */
	char person[LS_REPORTER_MAX + 1];           /* "" if none */
};

#define API_MAX_SEGMENTS 8
#define API_MAX_PARAMS 12

struct api_call {
	struct node_api *api;
	const struct node_api_request *req;
	struct node_api_response *resp;
	int route;    /* index in the route table, -1: none */
	int answered; /* a response has been set */
	int reject;   /* enum api_error of a refusal, -1: none */
	struct api_principal who;
	size_t n_seg;
	const char *seg[API_MAX_SEGMENTS]; /* path segments, not NUL-ended */
	size_t seg_len[API_MAX_SEGMENTS];
	json_t *doc; /* the parsed body, freed by the router */
	const char *const *param_names;    /* the route's query parameters */
	const char *param[API_MAX_PARAMS]; /* their values or NULL */
	char qbuf[NODE_API_QUERY_MAX + 1]; /* decoded query values */
	char actor[LS_ORGANISATION_MAX + LS_REPORTER_MAX + 8];
};

/* --- the API context (api.c) ---------------------------------------- */

struct api_page {
	const char *path;
	const char *type;
	char *body; /* owned */
	size_t len;
	char etag[24];
};

#define API_N_STATUS 18

struct node_api {
	struct store *store;
	const struct ls_config *config;
	const struct node_trust *trust;
	char software[64];
	const uint8_t *web_secret; /* borrowed; NULL: none */
	struct node_api_hooks hooks;
	size_t n_pages;
	struct api_page *pages; /* owned */
	/* counts[route + 1][status slot]; row 0 is "unknown" */
	uint64_t *counts;
	uint64_t *rejects;   /* [route + 1][API_E_COUNT_] */
	int counters_shared; /* counts and rejects are another API's */
};

/* --- answering ------------------------------------------------------ */

/* Refuse with err: a JSON body {"code", "melding", "veld"?}. msg_fmt
 * (Dutch; NULL: the table's message) and field (NULL: none) describe
 * what was wrong. Returns -1. */
int node_api_fail(struct api_call *c, enum api_error err, const char *field,
                  const char *msg_fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Answer with a JSON document (takes the reference). Returns 0, or -1
 * after answering 500 when it cannot be encoded. */
int node_api_reply_json(struct api_call *c, int status, json_t *doc);

/* Answer with JSON text already written (ls_malloc'd; the response
 * takes it over): for answers made without a jansson object. */
int node_api_reply_json_text(struct api_call *c, int status, char *text,
                             size_t len);

/* Answer with bytes the caller keeps alive (pages); no copy. */
int node_api_reply_static(struct api_call *c, int status, const char *type,
                          const char *body, size_t len);

/* Answer with a short JSON body formatted into the response itself (no
 * allocation): for answers that must go out even when memory is short,
 * such as the 201 of a capture that has been committed. */
int node_api_reply_small(struct api_call *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Answer with an ls_malloc'd body the response takes over. */
int node_api_reply_owned(struct api_call *c, int status, const char *type,
                         char *body, size_t len);

/* Add a response header (value formatted, truncated to fit). */
void node_api_header_add(struct api_call *c, const char *name, const char *fmt,
                         ...) __attribute__((format(printf, 3, 4)));

/* Refuse after a store or core error rc with its Dutch details:
 * LS_EINVAL/LS_ELIMIT 422, LS_ENOTFOUND 404, LS_ESTATE/LS_EEXISTS 409,
 * LS_EBUSY 503, anything else 500 (logged). */
int node_api_fail_code(struct api_call *c, int rc, const struct ls_errinfo *e,
                       const char *field);

/* --- input ---------------------------------------------------------- */

enum api_type {
	API_T_STRING = 1, /* a string */
	API_T_INTEGER,    /* a JSON integer (no fraction, no exponent) */
	API_T_STRINGS,    /* an array of strings */
	API_T_BOOLEAN,
};

struct api_field {
	const char *name;
	uint8_t type;       /* enum api_type */
	uint8_t required;   /* null or absent is missing_field */
	uint16_t max_items; /* API_T_STRINGS: at most this many (0: 64) */
};

/* The request body as a JSON object in c->doc: content type JSON (415),
 * at most NODE_API_BODY_MAX bytes (413), well-formed UTF-8 JSON without
 * duplicate keys (400 bad_json), an object (400 wrong_type). 0 or -1
 * (answered). */
int node_api_body(struct api_call *c, json_t **obj);

/* Check an object against its fields: unknown member (400
 * unknown_field), wrong type (400 wrong_type), too many items (422), a
 * required one null or absent (422 missing_field). 0 or -1 (answered). */
int node_api_check_fields(struct api_call *c, json_t *obj,
                          const struct api_field *fields, size_t n);

/* A member's string, or NULL when absent or null (after
 * node_api_check_fields). */
const char *node_api_string(json_t *obj, const char *name);

/* The query: each parameter must be one of names[0..n) (400
 * unknown_parameter), at most once (400 bad_parameter), percent-decoded
 * to valid UTF-8 without control characters. values[i] gets the decoded
 * value (inside c->qbuf) or NULL. 0 or -1 (answered). */
int node_api_query(struct api_call *c, const char *const *names, size_t n,
                   const char **values);

/* The value of the route's query parameter `name` (checked by the
 * router with node_api_query()), or NULL when not given. */
const char *node_api_param(const struct api_call *c, const char *name);

/* A path segment as a signal id (else 404) or a positive number (else
 * 404). 0 or -1 (answered). */
int node_api_seg_signal_id(struct api_call *c, size_t i,
                           uint8_t id[LS_SIGNAL_ID_BYTES]);
int node_api_seg_number(struct api_call *c, size_t i, int64_t *out);

/* Today's date (UTC) at the request's time. */
void node_api_today(const struct api_call *c, struct ls_date *out);

/* The name recorded in dossier histories for the caller: the token's
 * person, else its organisation, else "token <id>". */
const char *node_api_actor(struct api_call *c);

/* "2025-03-01T10:00:00Z" into out (>= 21 bytes); "" for t <= 0. */
void node_api_time_iso(int64_t t, char *out, size_t size);

/* An ISO time or JSON null for t <= 0. */
json_t *node_api_json_time(int64_t t);

/* A JSON string or null for NULL / "". */
json_t *node_api_json_text(const char *text);

/* --- routes ----------------------------------------------------------- */

typedef int (*api_handler)(struct api_call *c);

/* api_info.c */
int node_api_healthz(struct api_call *c);
int node_api_readyz(struct api_call *c);
int node_api_metrics(struct api_call *c);
int node_api_me(struct api_call *c);
int node_api_taxonomy(struct api_call *c);
/* api_signal.c */
int node_api_signals_list(struct api_call *c);
int node_api_signals_create(struct api_call *c);
int node_api_signal_get(struct api_call *c);
int node_api_signal_erase(struct api_call *c);
int node_api_organisations(struct api_call *c);
/* api_dossier.c */
int node_api_dossiers_list(struct api_call *c);
int node_api_dossiers_create(struct api_call *c);
int node_api_dossier_get(struct api_call *c);
int node_api_dossier_phase(struct api_call *c);
int node_api_dossier_criteria(struct api_call *c);
int node_api_dossier_link(struct api_call *c);
int node_api_dossier_unlink(struct api_call *c);
int node_api_dossier_action_create(struct api_call *c);
int node_api_dossier_action_result(struct api_call *c);
int node_api_dossier_feedback(struct api_call *c);
/* api_federation.c */
int node_api_trends(struct api_call *c);
int node_api_summary_preview(struct api_call *c);
int node_api_federation(struct api_call *c);
/* api_web.c */
int node_api_pages_load(struct node_api *api, const char *dir,
                        struct ls_errinfo *e);
void node_api_pages_free(struct node_api *api);
/* The page for a path, or NULL. */
const struct api_page *node_api_page_find(const struct node_api *api,
                                          const char *path);
int node_api_page_serve(struct api_call *c, const struct api_page *p);

#endif
