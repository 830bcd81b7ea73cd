/*
 * Signal fields: one table of field metadata (column names, required),
 * one parser per kind of field (date, codes, integer, text), and the
 * cross-field checks. Capture paths call ls_signal_set_field per column
 * and ls_signal_validate per row; both refuse with a Dutch message.
 */
#include "core/signal.h"
#include "common/text.h"

#include <string.h>

enum field_kind { K_ID, K_STATUS, K_DATE, K_CODES, K_INT, K_TEXT };

struct field_info {
	const char *nl;
	const char *en;
	uint8_t kind;
	uint8_t required;
	uint8_t dim;       /* K_CODES: enum ls_dim */
	uint8_t max_n;     /* K_CODES: how many codes at most */
	int64_t min, max;  /* K_INT range; K_TEXT: max = byte limit */
	uint8_t multiline; /* K_TEXT: newlines and tabs allowed */
};

static const struct field_info fields[LS_FIELD_COUNT_] = {
    [LS_FIELD_ID] = {.nl = "id", .en = "id", .kind = K_ID},
    [LS_FIELD_STATUS] = {.nl = "status", .en = "status", .kind = K_STATUS},
    [LS_FIELD_REGISTERED_AT] = {.nl = "geregistreerd_op",
                                .en = "registered_at",
                                .kind = K_DATE,
                                .required = 1},
    [LS_FIELD_OBSERVED_ON] = {.nl = "vastgesteld_op",
                              .en = "observed_on",
                              .kind = K_DATE},
    [LS_FIELD_THEME] = {.nl = "thema",
                        .en = "theme",
                        .kind = K_CODES,
                        .required = 1,
                        .dim = LS_DIM_THEME,
                        .max_n = LS_SIGNAL_MAX_THEMES},
    [LS_FIELD_PROBLEM] = {.nl = "probleemtype",
                          .en = "problem_type",
                          .kind = K_CODES,
                          .dim = LS_DIM_PROBLEM,
                          .max_n = 1},
    [LS_FIELD_AGE] = {.nl = "leeftijd",
                      .en = "age_band",
                      .kind = K_CODES,
                      .required = 1,
                      .dim = LS_DIM_AGE,
                      .max_n = 1},
    [LS_FIELD_TARGET] = {.nl = "doelgroep",
                         .en = "target_group",
                         .kind = K_CODES,
                         .dim = LS_DIM_TARGET,
                         .max_n = LS_SIGNAL_MAX_TARGETS},
    [LS_FIELD_SECTOR] = {.nl = "sector",
                         .en = "sector",
                         .kind = K_CODES,
                         .required = 1,
                         .dim = LS_DIM_SECTOR,
                         .max_n = 1},
    [LS_FIELD_ORGANISATION] = {.nl = "organisatie",
                               .en = "organisation",
                               .kind = K_TEXT,
                               .required = 1,
                               .max = LS_ORGANISATION_MAX},
    [LS_FIELD_REPORTER] = {.nl = "melder",
                           .en = "reporter",
                           .kind = K_TEXT,
                           .max = LS_REPORTER_MAX},
    [LS_FIELD_PERSONS] = {.nl = "aantal_personen",
                          .en = "persons_affected",
                          .kind = K_INT,
                          .min = 1,
                          .max = LS_PERSONS_MAX},
    [LS_FIELD_SEVERITY] =
        {.nl = "ernst", .en = "severity", .kind = K_INT, .min = 1, .max = 4},
    [LS_FIELD_NEIGHBOURHOOD] = {.nl = "wijk",
                                .en = "neighbourhood",
                                .kind = K_TEXT,
                                .max = LS_NEIGHBOURHOOD_MAX},
    [LS_FIELD_DESCRIPTION] = {.nl = "omschrijving",
                              .en = "description",
                              .kind = K_TEXT,
                              .max = LS_DESCRIPTION_MAX,
                              .multiline = 1},
};

static const char *const status_names[LS_STATUS_COUNT_] = {
    [LS_STATUS_NEW] = "nieuw",
    [LS_STATUS_LINKED] = "gekoppeld",
    [LS_STATUS_CLOSED] = "afgesloten",
};

const char *ls_signal_field_name_nl(enum ls_signal_field f)
{
	return (unsigned)f < LS_FIELD_COUNT_ ? fields[f].nl : "?";
}

const char *ls_signal_field_name_en(enum ls_signal_field f)
{
	return (unsigned)f < LS_FIELD_COUNT_ ? fields[f].en : "?";
}

int ls_signal_field_required(enum ls_signal_field f)
{
	return (unsigned)f < LS_FIELD_COUNT_ && fields[f].required;
}

/* Case-insensitive comparison of name[0..len) with a column name, where
 * '-' and ' ' in the input stand for '_'. */
static int name_eq(const char *name, size_t len, const char *want)
{
	size_t i;
	for (i = 0; i < len && want[i] != '\0'; i++) {
		char c = name[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c == '-' || c == ' ')
			c = '_';
		if (c != want[i])
			return 0;
	}
	return i == len && want[i] == '\0';
}

int ls_signal_field_parse(const char *name, size_t len,
                          enum ls_signal_field *out)
{
	for (int f = 0; f < LS_FIELD_COUNT_; f++) {
		if (name_eq(name, len, fields[f].nl) ||
		    name_eq(name, len, fields[f].en)) {
			*out = (enum ls_signal_field)f;
			return LS_OK;
		}
	}
	return LS_EINVAL;
}

const char *ls_signal_status_name(enum ls_signal_status st)
{
	return (unsigned)st < LS_STATUS_COUNT_ ? status_names[st] : "?";
}

int ls_signal_status_parse(const char *text, size_t len,
                           enum ls_signal_status *out)
{
	for (int i = 0; i < LS_STATUS_COUNT_; i++) {
		if (name_eq(text, len, status_names[i])) {
			*out = (enum ls_signal_status)i;
			return LS_OK;
		}
	}
	return LS_EINVAL;
}

void ls_signal_init(struct ls_signal *s)
{
	memset(s, 0, sizeof *s);
	s->status = LS_STATUS_NEW;
	s->persons = 1;
}

static void trim(const char **text, size_t *len)
{
	while (*len > 0 && ((*text)[0] == ' ' || (*text)[0] == '\t')) {
		(*text)++;
		(*len)--;
	}
	while (*len > 0 &&
	       ((*text)[*len - 1] == ' ' || (*text)[*len - 1] == '\t'))
		(*len)--;
}

/* Parse '|'-separated codes of one dimension into out[]. */
static int parse_codes(const struct field_info *fi, const char *text,
                       size_t len, const struct ls_taxonomy *tax,
                       const struct ls_taxonomy_entry **out, size_t *n_out,
                       struct ls_errinfo *e)
{
	size_t n = 0, pos = 0;
	for (;;) {
		const char *bar = memchr(text + pos, '|', len - pos);
		size_t end = bar ? (size_t)(bar - text) : len;
		const char *code = text + pos;
		size_t clen = end - pos;
		char lower[LS_CODE_SIZE];
		const struct ls_taxonomy_entry *entry;

		trim(&code, &clen);
		if (clen == 0)
			return ls_errf(e, LS_EINVAL, "lege code tussen '|'");
		if (n == fi->max_n && n == 1)
			return ls_errf(e, LS_EINVAL,
			               "slechts één code toegelaten");
		if (n == fi->max_n)
			return ls_errf(e, LS_EINVAL, "te veel codes (max %d)",
			               (int)fi->max_n);
		if (clen > LS_CODE_MAX || !ls_utf8_valid(code, clen))
			return ls_errf(e, LS_EINVAL, "onbekende code");
		/* Codes are lower case; a capital typed in a spreadsheet is
		 * forgiven. */
		for (size_t i = 0; i < clen; i++) {
			char c = code[i];
			lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
		}
		lower[clen] = '\0';
		entry =
		    ls_taxonomy_find(tax, (enum ls_dim)fi->dim, lower, clen);
		if (entry == NULL)
			return ls_errf(e, LS_EINVAL, "onbekende %s-code '%s'",
			               ls_dim_name_nl((enum ls_dim)fi->dim),
			               lower);
		for (size_t i = 0; i < n; i++)
			if (out[i] == entry)
				return ls_errf(e, LS_EINVAL,
				               "code '%s' staat er twee keer",
				               lower);
		out[n++] = entry;
		if (bar == NULL)
			break;
		pos = end + 1;
	}
	*n_out = n;
	return LS_OK;
}

static int check_text(const struct field_info *fi, const char *text, size_t len,
                      struct ls_errinfo *e)
{
	if (len > (size_t)fi->max)
		return ls_errf(e, LS_ELIMIT, "te lang: %zu bytes, max %d", len,
		               (int)fi->max);
	char why[160];
	if (!ls_utf8_valid(text, len))
		return ls_errf(e, LS_EINVAL, "geen geldige UTF-8-tekst");
	if (ls_text_chars_flaw(text, len, fi->multiline, why, sizeof why) !=
	    NULL)
		return ls_errf(e, LS_EINVAL, "%s", why);
	return LS_OK;
}

/* A field not given (empty after trimming): back to its default. */
static void reset_field(struct ls_signal *s, enum ls_signal_field f)
{
	switch (f) {
	case LS_FIELD_ID:
		s->has_id = 0;
		break;
	case LS_FIELD_STATUS:
		s->status = LS_STATUS_NEW;
		break;
	case LS_FIELD_REGISTERED_AT:
		s->has_registered_at = 0;
		break;
	case LS_FIELD_OBSERVED_ON:
		s->has_observed_on = 0;
		break;
	case LS_FIELD_THEME:
		s->n_themes = 0;
		break;
	case LS_FIELD_PROBLEM:
		s->problem = NULL;
		break;
	case LS_FIELD_AGE:
		s->age = NULL;
		break;
	case LS_FIELD_TARGET:
		s->n_targets = 0;
		break;
	case LS_FIELD_SECTOR:
		s->sector = NULL;
		break;
	case LS_FIELD_PERSONS:
		s->persons = 1;
		break;
	case LS_FIELD_SEVERITY:
		s->severity = 0;
		break;
	case LS_FIELD_ORGANISATION:
		s->organisation.len = 0;
		break;
	case LS_FIELD_REPORTER:
		s->reporter.len = 0;
		break;
	case LS_FIELD_NEIGHBOURHOOD:
		s->neighbourhood.len = 0;
		break;
	case LS_FIELD_DESCRIPTION:
		s->description.len = 0;
		break;
	default:
		break;
	}
}

/* What a setter of one field kind gets: the field, its row in fields[],
 * the trimmed, non-empty text, and the taxonomy (K_CODES). */
struct field_value {
	enum ls_signal_field f;
	const struct field_info *fi;
	const char *text;
	size_t len;
	const struct ls_taxonomy *tax;
};

static int set_id(struct ls_signal *s, const struct field_value *fv,
                  struct ls_errinfo *e)
{
	char hex[LS_SIGNAL_ID_HEX_SIZE];
	if (fv->len != 2 * LS_SIGNAL_ID_BYTES)
		return ls_errf(e, LS_EINVAL,
		               "een id is 32 hexadecimale tekens");
	memcpy(hex, fv->text, fv->len);
	hex[fv->len] = '\0';
	if (ls_signal_id_parse(hex, s->id) != LS_OK)
		return ls_errf(e, LS_EINVAL,
		               "een id is 32 hexadecimale tekens");
	s->has_id = 1;
	return LS_OK;
}

static int set_status(struct ls_signal *s, const struct field_value *fv,
                      struct ls_errinfo *e)
{
	enum ls_signal_status st;
	if (ls_signal_status_parse(fv->text, fv->len, &st) != LS_OK)
		return ls_errf(e, LS_EINVAL,
		               "onbekende status (nieuw, gekoppeld of "
		               "afgesloten)");
	s->status = (uint8_t)st;
	return LS_OK;
}

static int set_date(struct ls_signal *s, const struct field_value *fv,
                    struct ls_errinfo *e)
{
	struct ls_date d;
	if (ls_date_parse(fv->text, fv->len, &d) != LS_OK)
		return ls_errf(e, LS_EINVAL,
		               "ongeldige datum '%.*s' (verwacht "
		               "JJJJ-MM-DD, een bestaande dag tussen %d "
		               "en %d)",
		               (int)(fv->len > 20 ? 20 : fv->len), fv->text,
		               LS_YEAR_MIN, LS_YEAR_MAX);
	if (fv->f == LS_FIELD_REGISTERED_AT) {
		s->registered_at = d;
		s->has_registered_at = 1;
	} else {
		s->observed_on = d;
		s->has_observed_on = 1;
	}
	return LS_OK;
}

static int set_codes(struct ls_signal *s, const struct field_value *fv,
                     struct ls_errinfo *e)
{
	const struct ls_taxonomy_entry *got[LS_SIGNAL_MAX_TARGETS];
	size_t n = 0;
	int rc = parse_codes(fv->fi, fv->text, fv->len, fv->tax, got, &n, e);
	if (rc != LS_OK)
		return rc;
	switch (fv->f) {
	case LS_FIELD_THEME:
		memcpy(s->themes, got, n * sizeof got[0]);
		s->n_themes = n;
		break;
	case LS_FIELD_TARGET:
		memcpy(s->targets, got, n * sizeof got[0]);
		s->n_targets = n;
		break;
	case LS_FIELD_PROBLEM:
		s->problem = got[0];
		break;
	case LS_FIELD_AGE:
		s->age = got[0];
		break;
	case LS_FIELD_SECTOR:
		s->sector = got[0];
		break;
	default:
		break;
	}
	return LS_OK;
}

static int set_int(struct ls_signal *s, const struct field_value *fv,
                   struct ls_errinfo *e)
{
	const struct field_info *fi = fv->fi;
	int64_t v;
	if (ls_parse_i64_n(fv->text, fv->len, fi->min, fi->max, &v) != LS_OK)
		return ls_errf(e, LS_EINVAL,
		               "ongeldig getal '%.*s' (een geheel getal "
		               "van %lld tot %lld)",
		               (int)(fv->len > 20 ? 20 : fv->len), fv->text,
		               (long long)fi->min, (long long)fi->max);
	if (fv->f == LS_FIELD_PERSONS)
		s->persons = v;
	else
		s->severity = (uint8_t)v;
	return LS_OK;
}

static int set_text(struct ls_signal *s, const struct field_value *fv,
                    struct ls_errinfo *e)
{
	int rc = check_text(fv->fi, fv->text, fv->len, e);
	struct ls_text t = {fv->text, fv->len};
	if (rc != LS_OK)
		return rc;
	if (fv->f == LS_FIELD_ORGANISATION)
		s->organisation = t;
	else if (fv->f == LS_FIELD_REPORTER)
		s->reporter = t;
	else if (fv->f == LS_FIELD_NEIGHBOURHOOD)
		s->neighbourhood = t;
	else
		s->description = t;
	return LS_OK;
}

/* The setter for each field kind (enum field_kind). */
static int (*const setters[])(struct ls_signal *, const struct field_value *,
                              struct ls_errinfo *) = {
    [K_ID] = set_id,       [K_STATUS] = set_status, [K_DATE] = set_date,
    [K_CODES] = set_codes, [K_INT] = set_int,       [K_TEXT] = set_text,
};

int ls_signal_set_field(struct ls_signal *s, enum ls_signal_field f,
                        const char *text, size_t len,
                        const struct ls_taxonomy *tax, struct ls_errinfo *e)
{
	struct field_value fv;

	if ((unsigned)f >= LS_FIELD_COUNT_)
		return ls_errf(e, LS_EINVAL, "onbekend veld");
	fv.f = f;
	fv.fi = &fields[f];
	fv.tax = tax;
	if (len > LS_FIELD_MAX)
		return ls_errf(
		    e, LS_ELIMIT, "te lang: %zu bytes, max %d", len,
		    (int)(fv.fi->kind == K_TEXT ? fv.fi->max : LS_FIELD_MAX));
	if (fv.fi->kind != K_TEXT || !fv.fi->multiline)
		trim(&text, &len);
	if (len == 0) {
		reset_field(s, f);
		return LS_OK;
	}
	fv.text = text;
	fv.len = len;
	if (fv.fi->kind >= sizeof setters / sizeof setters[0])
		return ls_errf(e, LS_EINVAL, "onbekend veld");
	return setters[fv.fi->kind](s, &fv, e);
}

static int fail(enum ls_signal_field *bad, enum ls_signal_field f,
                struct ls_errinfo *e, const char *msg)
{
	if (bad != NULL)
		*bad = f;
	return ls_errf(e, LS_EINVAL, "%s", msg);
}

/* 1 if two entries of the list count under the same shared code. */
static int shared_twice(const struct ls_taxonomy_entry *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(ls_taxonomy_shared_code(list[i]),
			           ls_taxonomy_shared_code(list[j])) == 0)
				return 1;
	return 0;
}

int ls_signal_validate(const struct ls_signal *s, enum ls_signal_field *bad,
                       struct ls_errinfo *e)
{
	if (!s->has_registered_at)
		return fail(bad, LS_FIELD_REGISTERED_AT, e, "verplicht");
	if (s->n_themes == 0)
		return fail(bad, LS_FIELD_THEME, e,
		            "verplicht (1 tot 3 thema's)");
	if (s->age == NULL)
		return fail(bad, LS_FIELD_AGE, e,
		            "verplicht (gebruik 'onbekend' als de leeftijd "
		            "niet gekend is)");
	if (s->sector == NULL)
		return fail(bad, LS_FIELD_SECTOR, e, "verplicht");
	if (s->organisation.len == 0)
		return fail(bad, LS_FIELD_ORGANISATION, e, "verplicht");
	if (s->has_observed_on &&
	    ls_date_cmp(&s->observed_on, &s->registered_at) > 0)
		return fail(bad, LS_FIELD_OBSERVED_ON, e,
		            "ligt na de registratiedatum");
	if (shared_twice(s->themes, s->n_themes))
		return fail(bad, LS_FIELD_THEME, e,
		            "twee codes vallen onder hetzelfde gedeelde thema");
	if (shared_twice(s->targets, s->n_targets))
		return fail(bad, LS_FIELD_TARGET, e,
		            "twee codes vallen onder dezelfde gedeelde "
		            "doelgroep");
	if (s->persons < 1 || s->persons > LS_PERSONS_MAX)
		return fail(bad, LS_FIELD_PERSONS, e, "buiten bereik");
	if (s->severity > 4)
		return fail(bad, LS_FIELD_SEVERITY, e, "buiten bereik");
	if (s->status >= LS_STATUS_COUNT_)
		return fail(bad, LS_FIELD_STATUS, e, "onbekende status");
	return LS_OK;
}

void ls_signal_id_format(const uint8_t id[LS_SIGNAL_ID_BYTES],
                         char out[LS_SIGNAL_ID_HEX_SIZE])
{
	ls_hex_encode(id, LS_SIGNAL_ID_BYTES, out);
}

int ls_signal_id_parse(const char *text, uint8_t id[LS_SIGNAL_ID_BYTES])
{
	return ls_hex_decode(text, id, LS_SIGNAL_ID_BYTES) == LS_OK ? LS_OK
	                                                            : LS_EINVAL;
}
