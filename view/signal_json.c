/*
 * The signal's JSON shape (view/signal_json.h): its members are declared
 * once (signal_members), and both forms are made from that list — the
 * jansson object (the CLI export, the API's reads) and the same object
 * as text (the API's capture answer, which has no object to build) — so
 * the CLI export and the API cannot drift apart, nor the two forms.
 *
 * jansson's setters ignore NULL values, so an allocation failure
 * anywhere shows as a missing key, which the final size check turns
 * into NULL. The text is what jansson's compact dump writes
 * (json_dump_callback(o, ..., JSON_COMPACT)): members in order, no
 * blanks, strings escaped as jansson escapes them ('"', '\\', \b \f \n
 * \r \t, other characters below U+0020 as \u00XX with capital hex
 * digits, everything else, '/' and non-ASCII too, as is), integers in
 * decimal; tests/unit/test_signal.c holds the two forms against each
 * other for every byte value.
 */
#include "view/signal_json.h"

#include "common/err.h"
#include "common/text.h"

#include <inttypes.h>
#include <string.h>

/* The number of members ls_signal_json sets. */
#define SIGNAL_JSON_KEYS 15

enum member_kind {
	M_STRING, /* s, len */
	M_TEXT,   /* s, len; empty: null */
	M_CODES,  /* codes, n */
	M_INT,    /* i */
	M_NULL,
};

struct member {
	const char *key;
	enum member_kind kind;
	const char *s;
	size_t len;
	const struct ls_taxonomy_entry *const *codes;
	size_t n;
	int64_t i;
};

/* Buffers the members' texts point into. */
struct member_texts {
	char hex[LS_SIGNAL_ID_HEX_SIZE];
	char registered[LS_DATE_SIZE];
	char observed[LS_DATE_SIZE];
};

static struct member str(const char *key, const char *s)
{
	return (struct member){.key = key, .kind = M_STRING, .s = s,
	                       .len = strlen(s)};
}

static struct member code_or_null(const char *key,
                                  const struct ls_taxonomy_entry *x)
{
	return x != NULL ? str(key, x->code)
	                 : (struct member){.key = key, .kind = M_NULL};
}

static struct member text(const char *key, const struct ls_text *t)
{
	return (struct member){.key = key, .kind = M_TEXT, .s = t->ptr,
	                       .len = t->len};
}

static struct member codes(const char *key,
                           const struct ls_taxonomy_entry *const *list,
                           size_t n)
{
	return (struct member){.key = key, .kind = M_CODES, .codes = list,
	                       .n = n};
}

static struct member integer(const char *key, int64_t i)
{
	return (struct member){.key = key, .kind = M_INT, .i = i};
}

/* The signal's members, in order: the one declaration of the shape
 * (docs/API.md, "Signals"). */
static void signal_members(const struct ls_signal *sig, struct member_texts *t,
                           struct member m[SIGNAL_JSON_KEYS])
{
	size_t k = 0;
	ls_signal_id_format(sig->id, t->hex);
	ls_date_format(&sig->registered_at, t->registered);
	m[k++] = str("id", t->hex);
	m[k++] = str("status", ls_signal_status_name(
	                           (enum ls_signal_status)sig->status));
	m[k++] = str("geregistreerd_op", t->registered);
	if (sig->has_observed_on) {
		ls_date_format(&sig->observed_on, t->observed);
		m[k++] = str("vastgesteld_op", t->observed);
	} else {
		m[k++] = (struct member){.key = "vastgesteld_op",
		                         .kind = M_NULL};
	}
	m[k++] = codes("thema", sig->themes, sig->n_themes);
	m[k++] = code_or_null("probleemtype", sig->problem);
	m[k++] = str("leeftijd", sig->age->code);
	m[k++] = codes("doelgroep", sig->targets, sig->n_targets);
	m[k++] = str("sector", sig->sector->code);
	m[k++] = text("organisatie", &sig->organisation);
	m[k++] = text("melder", &sig->reporter);
	m[k++] = integer("aantal_personen", sig->persons);
	m[k++] = sig->severity ? integer("ernst", sig->severity)
	                       : (struct member){.key = "ernst",
	                                         .kind = M_NULL};
	m[k++] = text("wijk", &sig->neighbourhood);
	m[k++] = text("omschrijving", &sig->description);
}

/* --- the object ------------------------------------------------------- */

static json_t *codes_json(const struct ls_taxonomy_entry *const *list, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_string(list[i]->code));
	return a;
}

static json_t *member_json(const struct member *m)
{
	switch (m->kind) {
	case M_STRING:
		return json_stringn(m->s, m->len);
	case M_TEXT:
		return m->len > 0 ? json_stringn(m->s, m->len) : json_null();
	case M_CODES:
		return codes_json(m->codes, m->n);
	case M_INT:
		return json_integer(m->i);
	case M_NULL:
		break;
	}
	return json_null();
}

json_t *ls_signal_json(const struct ls_signal *sig)
{
	struct member_texts t;
	struct member m[SIGNAL_JSON_KEYS];
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	signal_members(sig, &t, m);
	for (size_t i = 0; i < SIGNAL_JSON_KEYS; i++)
		json_object_set_new(o, m[i].key, member_json(&m[i]));
	if (json_object_size(o) != SIGNAL_JSON_KEYS) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* --- the text --------------------------------------------------------- */

/* A JSON string as jansson's dump writes it (see the top); LS_EINVAL
 * for bytes that are not UTF-8 (jansson makes no string of them). */
static int string_text(struct ls_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t from = 0;
	if (!ls_utf8_valid(s, len))
		return LS_EINVAL;
	ls_buf_add(b, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6] = {'\\', 0, '0', '0', 0, 0};
		size_t n = 2;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			esc[1] = 'u';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
			break;
		}
		ls_buf_add(b, s + from, i - from);
		ls_buf_add(b, esc, n);
		from = i + 1;
	}
	ls_buf_add(b, s + from, len - from);
	ls_buf_add(b, "\"", 1);
	return LS_OK;
}

static int member_text(struct ls_buf *b, const struct member *m)
{
	char num[24];
	int rc = LS_OK;
	ls_buf_add(b, "\"", 1);
	ls_buf_puts(b, m->key);
	ls_buf_add(b, "\":", 2);
	switch (m->kind) {
	case M_TEXT:
		if (m->len == 0) {
			ls_buf_add(b, "null", 4);
			break;
		}
		/* fall through */
	case M_STRING:
		rc = string_text(b, m->s, m->len);
		break;
	case M_CODES:
		ls_buf_add(b, "[", 1);
		for (size_t i = 0; i < m->n && rc == LS_OK; i++) {
			if (i > 0)
				ls_buf_add(b, ",", 1);
			rc = string_text(b, m->codes[i]->code,
			                 strlen(m->codes[i]->code));
		}
		ls_buf_add(b, "]", 1);
		break;
	case M_INT:
		ls_buf_add(b, num,
		           (size_t)snprintf(num, sizeof num, "%" PRId64, m->i));
		break;
	case M_NULL:
		ls_buf_add(b, "null", 4);
		break;
	}
	return rc;
}

int ls_signal_json_open(const struct ls_signal *sig, struct ls_buf *b)
{
	struct member_texts t;
	struct member m[SIGNAL_JSON_KEYS];
	int rc = LS_OK;
	signal_members(sig, &t, m);
	ls_buf_add(b, "{", 1);
	for (size_t i = 0; i < SIGNAL_JSON_KEYS && rc == LS_OK; i++) {
		if (i > 0)
			ls_buf_add(b, ",", 1);
		rc = member_text(b, &m[i]);
	}
	return rc != LS_OK ? rc : ls_buf_error(b);
}
