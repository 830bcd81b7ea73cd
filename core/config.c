/*
 * Config parsing: the text is checked first (size, UTF-8, no NUL, line
 * length, since inih would silently split a long line), then inih calls
 * config_handler for each key, which finds the key's table row and parses
 * the value by type. The first error is kept with inih's line number.
 */
#include "core/config.h"
#include "common/alloc.h"
#include "core/disclosure.h"
#include "core/policy.h"
#include "common/text.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>

enum key_type { T_STRING, T_NODE_ID, T_INT, T_ENUM };

struct key_row {
	const char *section;
	const char *name;
	uint8_t type;
	uint8_t required;
	size_t offset;
	size_t size;               /* T_STRING, T_NODE_ID: buffer size */
	int64_t min, max;          /* T_INT */
	const char *const *values; /* T_ENUM: names, index = value */
	const char *def;           /* default as text; NULL if required */
	const char *comment;       /* Dutch, written by ls_config_format */
};

/* T_ENUM: index = value; enum ls_role starts at 1. */
static const char *const role_values[] = {"", "gemeente", "koepel", NULL};
static const char *const sync_values[] = {"", "normal", "full", NULL};
/* [disclosure] mode: index 0 follows the federation, else 1 + enum
 * ls_disclosure_mode (core/policy.h). */
static const char *const disclosure_mode_values[] = {"federatie", "drempel",
                                                     "ruis", NULL};

#define OFF(field) offsetof(struct ls_config, field)
#define SZ(field) sizeof(((struct ls_config *)0)->field)

static const struct key_row keys[] = {
    {.section = "node",
     .name = "id",
     .type = T_NODE_ID,
     .required = 1,
     .offset = OFF(node_id),
     .size = SZ(node_id),
     .comment = "unieke naam van dit knooppunt: a-z, 0-9 en '-'"},
    {.section = "node",
     .name = "name",
     .type = T_STRING,
     .required = 1,
     .offset = OFF(node_name),
     .size = SZ(node_name),
     .comment = "naam voor mensen, bv. de gemeente"},
    {.section = "node",
     .name = "role",
     .type = T_ENUM,
     .offset = OFF(role),
     .values = role_values,
     .def = "gemeente",
     .comment = "gemeente of koepel"},
    {.section = "store",
     .name = "path",
     .type = T_STRING,
     .offset = OFF(store_path),
     .size = SZ(store_path),
     .def = "signaal.db",
     .comment = "de databank, relatief tegenover de knooppuntmap"},
    {.section = "store",
     .name = "synchronous",
     .type = T_ENUM,
     .offset = OFF(synchronous),
     .values = sync_values,
     .def = "full",
     .comment = "full: bestand tegen stroomuitval; normal: sneller, "
                "bestand tegen het vastlopen van het programma"},
    {.section = "store",
     .name = "busy_timeout_ms",
     .type = T_INT,
     .offset = OFF(busy_timeout_ms),
     .min = 0,
     .max = 600000,
     .def = "5000",
     .comment = "zo lang wachten op een ander proces dat schrijft"},
    {.section = "retention",
     .name = "description_months",
     .type = T_INT,
     .offset = OFF(description_months),
     .min = 1,
     .max = 1200,
     .def = "24",
     .comment = "vrije tekst van signalen ouder dan dit aantal maanden "
                "wordt gewist door 'signaalctl purge'"},
    {.section = "trends",
     .name = "window",
     .type = T_INT,
     .offset = OFF(trends_window),
     .min = 3,
     .max = 120,
     .def = "24",
     .comment =
         "zoveel perioden tonen 'signaalctl trends' en de bundel standaard"},
    {.section = "trends",
     .name = "growth_periods",
     .type = T_INT,
     .offset = OFF(trends_growth_periods),
     .min = 3,
     .max = 120,
     .def = "12",
     .comment = "groei over de laatste zoveel perioden van het venster"},
    {.section = "trends",
     .name = "growth_full",
     .type = T_INT,
     .offset = OFF(trends_growth_full),
     .min = 1,
     .max = 100000,
     .def = "50",
     .comment = "zoveel procent groei over die perioden geeft de volle punten "
                "voor groei"},
    {.section = "trends",
     .name = "top",
     .type = T_INT,
     .offset = OFF(trends_top),
     .min = 1,
     .max = 18,
     .def = "5",
     .comment =
         "zoveel thema's krijgen een eigen hoofdstuk met grafiek in de bundel"},
    {.section = "trends",
     .name = "weight_spread",
     .type = T_INT,
     .offset = OFF(trends_w_spread),
     .min = 0,
     .max = 1000,
     .def = "15",
     .comment = "gewicht: aandeel gemeenten dat het thema meldt"},
    {.section = "trends",
     .name = "weight_rising",
     .type = T_INT,
     .offset = OFF(trends_w_rising),
     .min = 0,
     .max = 1000,
     .def = "25",
     .comment = "gewicht: aandeel gemeenten waar het stijgt"},
    {.section = "trends",
     .name = "weight_growth",
     .type = T_INT,
     .offset = OFF(trends_w_growth),
     .min = 0,
     .max = 1000,
     .def = "25",
     .comment = "gewicht: groei die niet van een gemeente alleen afhangt"},
    {.section = "trends",
     .name = "weight_recurrence",
     .type = T_INT,
     .offset = OFF(trends_w_recurrence),
     .min = 0,
     .max = 1000,
     .def = "10",
     .comment = "gewicht: perioden op rij gemeld"},
    {.section = "trends",
     .name = "weight_breadth",
     .type = T_INT,
     .offset = OFF(trends_w_breadth),
     .min = 0,
     .max = 1000,
     .def = "10",
     .comment = "gewicht: aantal sectoren dat het meldt"},
    {.section = "trends",
     .name = "weight_scale",
     .type = T_INT,
     .offset = OFF(trends_w_scale),
     .min = 0,
     .max = 1000,
     .def = "10",
     .comment = "gewicht: aantal betrokken personen"},
    {.section = "trends",
     .name = "weight_youth",
     .type = T_INT,
     .offset = OFF(trends_w_youth),
     .min = 0,
     .max = 1000,
     .def = "5",
     .comment = "gewicht: aandeel jongeren (12-24)"},
    /* [disclosure]: releases of anonymised summaries (core/policy.h).
     * Every key may only make the federation's policy stricter; 0 (or
     * mode = federatie) keeps the federation's value. */
    {.section = "disclosure",
     .name = "mode",
     .type = T_ENUM,
     .offset = OFF(disclosure_mode),
     .values = disclosure_mode_values,
     .def = "federatie",
     .comment = "federatie: de modus van de federatie; drempel of ruis: "
                "alleen in die modus vrijgeven"},
    {.section = "disclosure",
     .name = "k",
     .type = T_INT,
     .offset = OFF(disclosure_k),
     .min = 0,
     .max = DISCLOSURE_K_MAX,
     .def = "0",
     .comment = "drempelmodus: aantallen 1..k-1 nooit als getal (0: die "
                "van de federatie; alleen hoger)"},
    {.section = "disclosure",
     .name = "epsilon_milli",
     .type = T_INT,
     .offset = OFF(disclosure_epsilon_milli),
     .min = 0,
     .max = DISCLOSURE_EPSILON_MILLI_MAX,
     .def = "0",
     .comment = "ruismodus: epsilon per periode x 1000 (0: die van de "
                "federatie; alleen lager)"},
    {.section = "disclosure",
     .name = "withhold_below",
     .type = T_INT,
     .offset = OFF(disclosure_withhold_below),
     .min = 0,
     .max = DISCLOSURE_WITHHOLD_MAX,
     .def = "0",
     .comment = "ruismodus: kleinere ruiswaarden achterhouden (0: die van "
                "de federatie; alleen hoger)"},
    {.section = "disclosure",
     .name = "settle_days",
     .type = T_INT,
     .offset = OFF(disclosure_settle_days),
     .min = 0,
     .max = LS_SETTLE_DAYS_MAX,
     .def = "0",
     .comment = "dagen na het einde van een periode voor ze vrijgegeven "
                "wordt (0: die van de federatie; alleen langer)"},
    {.section = "disclosure",
     .name = "budget_milli",
     .type = T_INT,
     .offset = OFF(disclosure_budget_milli),
     .min = 0,
     .max = 10000000,
     .def = "0",
     .comment = "ruismodus: privacybudget per jaar, epsilon x 1000 (0: "
                "standaard, een vrijgave per periode plus 3 correcties; "
                "alleen lager)"},
};

#define N_KEYS (sizeof keys / sizeof keys[0])

/* Parse value into the row's field; Dutch reason in why on failure. */
static int set_value(const struct key_row *k, struct ls_config *c,
                     const char *value, char *why, size_t why_size)
{
	char *field = (char *)c + k->offset;
	size_t len = strlen(value);
	switch (k->type) {
	case T_NODE_ID:
		if (!ls_node_id_valid(value, len)) {
			snprintf(why, why_size,
			         "ongeldige id: 1 tot %d tekens uit a-z, 0-9 "
			         "en '-'",
			         LS_NODE_ID_MAX);
			return LS_ECONFIG;
		}
		memcpy(field, value, len + 1);
		return LS_OK;
	case T_STRING:
		if (len == 0 || len >= k->size) {
			snprintf(why, why_size,
			         "moet 1 tot %zu tekens lang zijn",
			         k->size - 1);
			return LS_ECONFIG;
		}
		for (size_t i = 0; i < len; i++) {
			if ((unsigned char)value[i] < 0x20) {
				snprintf(why, why_size, "bevat stuurtekens");
				return LS_ECONFIG;
			}
			/* ';' and '#' start comments in INI files: a value
			 * with them would not read back the same. */
			if (value[i] == ';' || value[i] == '#') {
				snprintf(why, why_size,
				         "mag geen ';' of '#' bevatten");
				return LS_ECONFIG;
			}
		}
		memcpy(field, value, len + 1);
		return LS_OK;
	case T_INT: {
		int64_t v;
		if (ls_parse_i64(value, k->min, k->max, &v) != LS_OK) {
			snprintf(why, why_size,
			         "verwacht een geheel getal van %lld tot %lld",
			         (long long)k->min, (long long)k->max);
			return LS_ECONFIG;
		}
		memcpy(field, &v, sizeof v);
		return LS_OK;
	}
	case T_ENUM:
		for (size_t i = 0; k->values[i] != NULL; i++) {
			if (k->values[i][0] != '\0' &&
			    strcmp(value, k->values[i]) == 0) {
				*(uint8_t *)field = (uint8_t)i;
				return LS_OK;
			}
		}
		{
			size_t used = (size_t)snprintf(why, why_size,
			                               "verwacht een van:");
			for (size_t i = 0; k->values[i] != NULL; i++)
				if (k->values[i][0] != '\0' && used < why_size)
					used += (size_t)snprintf(
					    why + used, why_size - used, " %s",
					    k->values[i]);
		}
		return LS_ECONFIG;
	}
	snprintf(why, why_size, "interne fout");
	return LS_EINTERNAL;
}

void ls_config_defaults(struct ls_config *c)
{
	char why[128];
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < N_KEYS; i++)
		if (keys[i].def != NULL)
			(void)set_value(&keys[i], c, keys[i].def, why,
			                sizeof why);
}

struct parse_state {
	struct ls_config *c;
	uint8_t seen[N_KEYS];
	int have_error;
	char error[400];
};

static int config_handler(void *user, const char *section, const char *name,
                          const char *value)
{
	struct parse_state *ps = user;
	char why[200];
	for (size_t i = 0; i < N_KEYS; i++) {
		if (strcmp(section, keys[i].section) != 0 ||
		    strcmp(name, keys[i].name) != 0)
			continue;
		if (ps->seen[i]) {
			if (!ps->have_error)
				snprintf(ps->error, sizeof ps->error,
				         "sleutel '%s' in [%s] staat er twee "
				         "keer",
				         name, section);
			ps->have_error = 1;
			return 0;
		}
		ps->seen[i] = 1;
		if (set_value(&keys[i], ps->c, value, why, sizeof why) !=
		    LS_OK) {
			if (!ps->have_error)
				snprintf(ps->error, sizeof ps->error,
				         "[%s] %s: %s", section, name, why);
			ps->have_error = 1;
			return 0;
		}
		return 1;
	}
	if (!ps->have_error) {
		int known_section = 0;
		for (size_t i = 0; i < N_KEYS; i++)
			if (strcmp(section, keys[i].section) == 0)
				known_section = 1;
		if (known_section)
			snprintf(ps->error, sizeof ps->error,
			         "onbekende sleutel '%.60s' in [%s]", name,
			         section);
		else
			snprintf(ps->error, sizeof ps->error,
			         "onbekende sectie [%.60s]", section);
	}
	ps->have_error = 1;
	return 0;
}

int ls_config_parse(const char *text, size_t len, struct ls_config *c,
                    struct ls_errinfo *e)
{
	struct parse_state ps;
	char *copy;
	size_t line_start = 0;
	unsigned lineno = 1;
	int rc;

	if (len > LS_CONFIG_MAX_BYTES)
		return ls_errf(e, LS_ECONFIG,
		               "configuratie te groot (max %d bytes)",
		               LS_CONFIG_MAX_BYTES);
	for (size_t i = 0; i <= len; i++) {
		if (i == len || text[i] == '\n') {
			size_t l = i - line_start;
			if (!ls_utf8_valid(text + line_start, l))
				return ls_errf(e, LS_ECONFIG,
				               "regel %u: geen geldige UTF-8 "
				               "(of een NUL-teken)",
				               lineno);
			if (l > LS_CONFIG_MAX_LINE)
				return ls_errf(
				    e, LS_ECONFIG,
				    "regel %u: te lang (max %d tekens)", lineno,
				    LS_CONFIG_MAX_LINE);
			line_start = i + 1;
			lineno++;
		}
	}
	copy = ls_malloc(len + 1);
	if (copy == NULL)
		return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
	memcpy(copy, text, len);
	copy[len] = '\0';
	memset(&ps, 0, sizeof ps);
	ls_config_defaults(c);
	ps.c = c;
	rc = ini_parse_string(copy, config_handler, &ps);
	ls_free(copy);
	if (rc != 0) {
		if (ps.have_error)
			return ls_errf(e, LS_ECONFIG, "regel %d: %s", rc,
			               ps.error);
		return ls_errf(e, LS_ECONFIG,
		               "regel %d: geen geldige regel (verwacht "
		               "[sectie] of sleutel = waarde)",
		               rc);
	}
	for (size_t i = 0; i < N_KEYS; i++)
		if (keys[i].required && !ps.seen[i])
			return ls_errf(e, LS_ECONFIG,
			               "sleutel '%s' in sectie [%s] ontbreekt",
			               keys[i].name, keys[i].section);
	return LS_OK;
}

int ls_config_load(const char *path, struct ls_config *c, struct ls_errinfo *e)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	size_t got;
	int rc;
	if (fp == NULL)
		return ls_errf(e, LS_EIO, "kan %s niet openen: %s", path,
		               strerror(errno));
	buf = ls_malloc(LS_CONFIG_MAX_BYTES + 1);
	if (buf == NULL) {
		fclose(fp);
		return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
	}
	got = fread(buf, 1, LS_CONFIG_MAX_BYTES + 1, fp);
	if (ferror(fp)) {
		fclose(fp);
		ls_free(buf);
		return ls_errf(e, LS_EIO, "kan %s niet lezen", path);
	}
	fclose(fp);
	rc = ls_config_parse(buf, got, c, e);
	ls_free(buf);
	return rc;
}

int ls_config_format(const struct ls_config *c, char *buf, size_t size)
{
	size_t used = 0;
	const char *section = NULL;
#define EMIT(...)                                                              \
	do {                                                                   \
		int n_ = snprintf(buf + used, size - used, __VA_ARGS__);       \
		if (n_ < 0 || (size_t)n_ >= size - used)                       \
			return LS_ELIMIT;                                      \
		used += (size_t)n_;                                            \
	} while (0)
	if (size == 0)
		return LS_ELIMIT;
	buf[0] = '\0';
	EMIT("# Lokaal Signaal: configuratie van dit knooppunt.\n");
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct key_row *k = &keys[i];
		const char *field = (const char *)c + k->offset;
		if (section == NULL || strcmp(section, k->section) != 0) {
			EMIT("\n[%s]\n", k->section);
			section = k->section;
		}
		EMIT("# %s\n", k->comment);
		switch (k->type) {
		case T_STRING:
		case T_NODE_ID:
			EMIT("%s = %s\n", k->name, field);
			break;
		case T_INT: {
			int64_t v;
			memcpy(&v, field, sizeof v);
			EMIT("%s = %lld\n", k->name, (long long)v);
			break;
		}
		case T_ENUM:
			EMIT("%s = %s\n", k->name,
			     k->values[*(const uint8_t *)field]);
			break;
		}
	}
#undef EMIT
	return LS_OK;
}
