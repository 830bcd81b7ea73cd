/*
 * Dossier note body codec.
 *
 * The headline is the one piece of text a municipality can publish. It is
 * kept from carrying personal data by construction where a rule can do it:
 * at most LS_HEADLINE_MAX bytes of letters (Latin script), spaces and a
 * little punctuation: no digits in any script (no phone or national
 * register numbers, dates of birth, house numbers), no '@' (no e-mail
 * addresses), no control characters. The rest is codes and a random id.
 */
#include "proto/body.h"
#include "proto/field.h"

#include <string.h>

enum {
	K_DOSSIER = 0,
	K_THEME = 1,
	K_PHASE = 2,
	K_PROBLEM_TYPE = 3,
	K_HEADLINE = 4,
};
#define NOTE_REQUIRED 0x1fu

static const char *const phase_names[LS_PHASE_COUNT_] = {
    "opmerken",    "verzamelen", "bundelen", "analyseren",
    "rapporteren", "beslissing", "actie",    "feedback",
};

const char *proto_phase_name(uint8_t phase)
{
	return phase < LS_PHASE_COUNT_ ? phase_names[phase] : NULL;
}

int proto_phase_parse(const char *code, size_t len)
{
	for (int i = 0; i < LS_PHASE_COUNT_; i++)
		if (strlen(phase_names[i]) == len &&
		    memcmp(phase_names[i], code, len) == 0)
			return i;
	return -1;
}

/* The characters a headline may use: letters of Latin script (ASCII and
 * U+00C0..U+017F, without the signs x and /), space, a few punctuation
 * marks, typographic quotes and dashes, and the euro sign. */
static int headline_char_ok(uint32_t cp)
{
	static const char punct[] = " !\"&'()+,-./:;?";
	if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
		return 1;
	if (cp < 0x80)
		return cp != 0 && strchr(punct, (int)cp) != NULL;
	if (cp >= 0xc0 && cp <= 0x17f)
		return cp != 0xd7 && cp != 0xf7;
	return cp == 0x2013 || cp == 0x2014 || cp == 0x2018 || cp == 0x2019 ||
	       cp == 0x201c || cp == 0x201d || cp == 0x20ac;
}

static int headline_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	if (len < 1 || len > LS_HEADLINE_MAX || !proto_field_text_valid(s, len))
		return 0;
	/* well-formed UTF-8 (checked above): decode and whitelist */
	while (i < len) {
		uint32_t cp;
		size_t n;
		if (u[i] < 0x80)
			cp = u[i], n = 1;
		else if ((u[i] & 0xe0) == 0xc0)
			cp = u[i] & 0x1f, n = 2;
		else if ((u[i] & 0xf0) == 0xe0)
			cp = u[i] & 0x0f, n = 3;
		else
			cp = u[i] & 0x07, n = 4;
		for (size_t k = 1; k < n; k++)
			cp = cp << 6 | (u[i + k] & 0x3f);
		if (!headline_char_ok(cp))
			return 0;
		i += n;
	}
	return 1;
}

int proto_note_validate(const struct ls_dossier_note *n, struct ls_errinfo *e)
{
	static const uint8_t zero[LS_DOSSIER_ID_BYTES];
	size_t pt = strnlen(n->problem_type, LS_CODE_SIZE);
	if (memcmp(n->dossier, zero, sizeof zero) == 0)
		return ls_errf(e, LS_EINVAL, "dossier_note: no dossier id");
	if (!proto_field_code_valid(n->theme, strnlen(n->theme, LS_CODE_SIZE)))
		return ls_errf(e, LS_EINVAL, "dossier_note: bad theme code");
	if (n->phase >= LS_PHASE_COUNT_)
		return ls_errf(e, LS_EINVAL, "dossier_note: unknown phase");
	if (pt > 0 && !proto_field_code_valid(n->problem_type, pt))
		return ls_errf(e, LS_EINVAL,
		               "dossier_note: bad problem type code");
	if (!headline_valid(n->headline,
	                    strnlen(n->headline, sizeof n->headline)))
		return ls_errf(e, LS_EINVAL,
		               "dossier_note: the headline must be 1..%d bytes "
		               "of letters, spaces and punctuation (no digits, "
		               "no '@')",
		               LS_HEADLINE_MAX);
	return LS_OK;
}

static int note_validate(const struct ls_doc *d, struct ls_errinfo *e)
{
	return proto_note_validate(&d->body.note, e);
}

static void note_encode(struct mp_writer *w, const struct ls_doc *d)
{
	const struct ls_dossier_note *n = &d->body.note;
	proto_mp_write_map(w, 5);
	proto_mp_write_uint(w, K_DOSSIER);
	proto_mp_write_bin(w, n->dossier, LS_DOSSIER_ID_BYTES);
	proto_mp_write_uint(w, K_THEME);
	proto_mp_write_cstr(w, n->theme);
	proto_mp_write_uint(w, K_PHASE);
	proto_mp_write_cstr(w, phase_names[n->phase]);
	proto_mp_write_uint(w, K_PROBLEM_TYPE);
	proto_mp_write_cstr(w, n->problem_type);
	proto_mp_write_uint(w, K_HEADLINE);
	proto_mp_write_cstr(w, n->headline);
}

static int note_decode(struct mp_reader *r, struct ls_doc *d,
                       struct ls_errinfo *e)
{
	struct ls_dossier_note *n = &d->body.note;
	struct mp_map m;
	int key, rc;

	FIELD_TRY(proto_mp_map_begin(r, &m, MP_KEY_MAX + 1), "dossier_note");
	for (;;) {
		const uint8_t *b;
		const char *s;
		size_t len;
		int phase;
		FIELD_TRY(proto_mp_map_key(r, &m, &key), "dossier_note: key");
		if (key < 0)
			break;
		rc = LS_OK;
		switch (key) {
		case K_DOSSIER:
			FIELD_TRY(
			    proto_mp_read_bin_exact(r, LS_DOSSIER_ID_BYTES, &b),
			    "dossier_note: dossier");
			memcpy(n->dossier, b, LS_DOSSIER_ID_BYTES);
			break;
		case K_THEME:
			FIELD_TRY(proto_field_read_code(r, n->theme, 0),
			          "dossier_note: theme");
			break;
		case K_PHASE:
			FIELD_TRY(proto_mp_read_str(r, LS_CODE_MAX, &s, &len),
			          "dossier_note: phase");
			phase = proto_phase_parse(s, len);
			if (phase < 0)
				return proto_field_err(
				    e, LS_EDECODE, r,
				    "dossier_note: unknown phase");
			n->phase = (uint8_t)phase;
			break;
		case K_PROBLEM_TYPE:
			FIELD_TRY(proto_field_read_code(r, n->problem_type, 1),
			          "dossier_note: problem_type");
			break;
		case K_HEADLINE:
			FIELD_TRY(proto_field_read_text(r, n->headline, 1,
			                                LS_HEADLINE_MAX),
			          "dossier_note: headline");
			break;
		default:
			rc = proto_field_unknown(e, r, key, "dossier_note");
			break;
		}
		if (rc != LS_OK)
			return rc;
	}
	rc = proto_field_map_done(e, r, &m, NOTE_REQUIRED, "dossier_note");
	if (rc != LS_OK)
		return rc;
	rc = note_validate(d, e);
	return proto_field_invalid(e, rc);
}

static void note_fini(struct ls_doc *d)
{
	memset(&d->body.note, 0, sizeof d->body.note);
}

const struct proto_body_codec proto_body_note = {
    .type = LS_DOC_DOSSIER_NOTE,
    .name = "dossier_note",
    .authors = PROTO_AUTHOR_MUNICIPALITY,
    .validate = note_validate,
    .encode = note_encode,
    .decode = note_decode,
    .fini = note_fini,
};
