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

/* A further check of a T_STRING value; Dutch reason in why. */
typedef int (*key_check_fn)(const char *value, char *why, size_t why_size);

struct key_row {
	const char *section;
	const char *name;
	uint8_t type;
	uint8_t required;
	uint8_t empty_ok;   /* T_STRING, T_NODE_ID: "" is a valid value */
	key_check_fn check; /* T_STRING: NULL or a further check */
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
static const char *const yesno_values[] = {"", "nee", "ja", NULL};
/* enum ls_log_level: index = value, from 0. */
static const char *const level_values[] = {"debug", "info", "warn", "error",
                                           NULL};

static int check_listen(const char *value, char *why, size_t why_size)
{
	if (strncmp(value, "tcp://", 6) != 0 ||
	    !ls_endpoint_valid(value, strlen(value))) {
		snprintf(why, why_size,
		         "verwacht tcp://HOST:POORT, bv. tcp://0.0.0.0:7400");
		return LS_ECONFIG;
	}
	return LS_OK;
}

/* [http] listen: HOST:PORT, optionally written as http://HOST:PORT; the
 * host and port follow the endpoint rule of core/node.h. */
static int check_http_listen(const char *value, char *why, size_t why_size)
{
	char ep[LS_ENDPOINT_MAX + 16];
	const char *hp = value;
	if (strncmp(hp, "http://", 7) == 0)
		hp += 7;
	if ((size_t)snprintf(ep, sizeof ep, "tcp://%s", hp) >= sizeof ep ||
	    !ls_endpoint_valid(ep, strlen(ep))) {
		snprintf(why, why_size,
		         "verwacht HOST:POORT, bv. 127.0.0.1:8080 (leeg: geen "
		         "HTTP)");
		return LS_ECONFIG;
	}
	return LS_OK;
}

static int check_peers(const char *value, char *why, size_t why_size)
{
	struct ls_peer_spec specs[LS_CONFIG_MAX_PEERS];
	size_t n;
	return ls_config_peers_parse(value, specs, LS_CONFIG_MAX_PEERS, &n, why,
	                             why_size);
}

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
    /* --- the federation daemon (signaald): [federation] [sync] [daemon] */
    {.section = "federation",
     .name = "id",
     .type = T_NODE_ID,
     .empty_ok = 1,
     .offset = OFF(federation_id),
     .size = SZ(federation_id),
     .def = "",
     .comment = "id van de federatie (bv. federatie); leeg: dit knooppunt "
                "staat alleen en synchroniseert niet"},
    {.section = "federation",
     .name = "anchor",
     .type = T_STRING,
     .offset = OFF(anchor_path),
     .size = SZ(anchor_path),
     .def = "keys/federation.pub",
     .comment = "publieke sleutel van de federatie (vertrouwensanker), "
                "relatief tegenover de knooppuntmap"},
    {.section = "sync",
     .name = "listen",
     .type = T_STRING,
     .empty_ok = 1,
     .check = check_listen,
     .offset = OFF(listen),
     .size = SZ(listen),
     .def = "",
     .comment = "adres waarop signaald luistert, bv. tcp://0.0.0.0:7400; "
                "leeg: niet luisteren, alleen zelf verbinden"},
    {.section = "sync",
     .name = "peers",
     .type = T_STRING,
     .empty_ok = 1,
     .check = check_peers,
     .offset = OFF(peers),
     .size = SZ(peers),
     .def = "koepel",
     .comment = "met wie synchroniseren: koepel, alle, node-ids of "
                "id=tcp://host:poort, gescheiden door spaties"},
    {.section = "sync",
     .name = "interval_s",
     .type = T_INT,
     .offset = OFF(sync_interval_s),
     .min = 1,
     .max = 86400,
     .def = "30",
     .comment = "seconden tussen twee synchronisatierondes met een peer"},
    {.section = "sync",
     .name = "backoff_max_s",
     .type = T_INT,
     .offset = OFF(backoff_max_s),
     .min = 1,
     .max = 86400,
     .def = "600",
     .comment = "langste wachttijd na mislukte rondes (seconden)"},
    {.section = "sync",
     .name = "timeout_ms",
     .type = T_INT,
     .offset = OFF(timeout_ms),
     .min = 100,
     .max = 600000,
     .def = "10000",
     .comment = "zo lang wachten op een antwoord van een peer"},
    {.section = "sync",
     .name = "page_docs",
     .type = T_INT,
     .offset = OFF(page_docs),
     .min = 1,
     .max = 1024,
     .def = "256",
     .comment = "hoogstens zoveel documenten per pagina"},
    {.section = "sync",
     .name = "page_bytes",
     .type = T_INT,
     .offset = OFF(page_bytes),
     .min = 1048704,
     .max = 4194304,
     .def = "4194304",
     .comment = "hoogstens zoveel bytes aan documenten per pagina"},
    {.section = "sync",
     .name = "max_requests",
     .type = T_INT,
     .offset = OFF(max_requests),
     .min = 1,
     .max = 64,
     .def = "8",
     .comment = "zoveel verzoeken van peers tegelijk in ontvangst nemen"},
    {.section = "sync",
     .name = "max_connections",
     .type = T_INT,
     .offset = OFF(sync_max_connections),
     .min = 8,
     .max = 65536,
     .def = "1024",
     .comment = "hoogstens zoveel verbindingen van peers tegelijk (ook "
                "begrensd door het aantal bestandsdescriptors); meer wordt "
                "geweigerd en geteld"},
    {.section = "sync",
     .name = "max_per_client",
     .type = T_INT,
     .offset = OFF(sync_max_per_client),
     .min = 1,
     .max = 65536,
     .def = "32",
     .comment = "hoogstens zoveel verbindingen van peers tegelijk van een "
                "adres"},
    {.section = "sync",
     .name = "push",
     .type = T_ENUM,
     .offset = OFF(push),
     .values = yesno_values,
     .def = "ja",
     .comment = "ja: wat een peer mist zelf doorsturen (nodig achter een "
                "firewall); nee: alleen ophalen"},
    {.section = "secagg",
     .name = "enabled",
     .type = T_ENUM,
     .offset = OFF(secagg_enabled),
     .values = yesno_values,
     .def = "nee",
     .comment = "ja: meedoen aan veilige aggregatie (de koepel telt de "
                "federatietotalen zonder de cijfers van een gemeente te "
                "zien); nodig bij de koepel en bij elke gemeente"},
    {.section = "secagg",
     .name = "mu_signals_milli",
     .type = T_INT,
     .offset = OFF(secagg_mu_signals_milli),
     .min = 1,
     .max = 1048576000,
     .def = "250",
     .comment = "ruis op de federatietotalen (koepel): mu x 1000 voor "
                "signalen per maand; meer ruis is meer privacy en "
                "bredere intervallen"},
    {.section = "secagg",
     .name = "mu_persons_milli",
     .type = T_INT,
     .offset = OFF(secagg_mu_persons_milli),
     .min = 1,
     .max = 1048576000,
     .def = "25000",
     .comment = "ruis op de federatietotalen (koepel): mu x 1000 voor "
                "betrokken personen per maand"},
    {.section = "secagg",
     .name = "min_parties",
     .type = T_INT,
     .offset = OFF(secagg_min_parties),
     .min = 2,
     .max = 4096,
     .def = "3",
     .comment = "zoveel gemeenten moeten minstens in een federatietotaal "
                "zitten (koepel)"},
    {.section = "secagg",
     .name = "wait_intervals",
     .type = T_INT,
     .offset = OFF(secagg_wait_intervals),
     .min = 1,
     .max = 1000,
     .def = "4",
     .comment = "zoveel synchronisatie-intervallen wacht de koepel per "
                "stap van een ronde op de gemeenten"},
    {.section = "daemon",
     .name = "status_interval_s",
     .type = T_INT,
     .offset = OFF(status_interval_s),
     .min = 60,
     .max = 604800,
     .def = "3600",
     .comment = "zo vaak een statusdocument publiceren (elk blijft "
                "bewaard bij elk knooppunt)"},
    {.section = "daemon",
     .name = "release_interval_s",
     .type = T_INT,
     .offset = OFF(release_interval_s),
     .min = 10,
     .max = 86400,
     .def = "3600",
     .comment = "zo vaak nagaan of afgesloten periodes vrij te geven zijn"},
    {.section = "daemon",
     .name = "purge_interval_s",
     .type = T_INT,
     .offset = OFF(purge_interval_s),
     .min = 60,
     .max = 2592000,
     .def = "86400",
     .comment = "zo vaak vrije tekst voorbij de bewaartermijn wissen"},
    {.section = "daemon",
     .name = "state_interval_s",
     .type = T_INT,
     .offset = OFF(state_interval_s),
     .min = 1,
     .max = 3600,
     .def = "10",
     .comment = "zo vaak het metriek- en statusbestand bijwerken"},
    {.section = "daemon",
     .name = "shutdown_timeout_s",
     .type = T_INT,
     .offset = OFF(shutdown_timeout_s),
     .min = 1,
     .max = 600,
     .def = "30",
     .comment = "zo lang mag stoppen duren (seconden); daarna stopt "
                "signaald meteen met afsluitcode 70 en zegt het log bij "
                "welke stap; TimeoutStopSec van systemd groter houden"},
    {.section = "daemon",
     .name = "metrics_file",
     .type = T_STRING,
     .empty_ok = 1,
     .offset = OFF(metrics_file),
     .size = SZ(metrics_file),
     .def = "signaald.prom",
     .comment = "metrieken in Prometheus-tekstformaat (leeg: geen)"},
    {.section = "daemon",
     .name = "status_file",
     .type = T_STRING,
     .empty_ok = 1,
     .offset = OFF(status_file),
     .size = SZ(status_file),
     .def = "signaald.json",
     .comment = "toestand van signaald in JSON (leeg: geen)"},
    {.section = "daemon",
     .name = "log_level",
     .type = T_ENUM,
     .offset = OFF(log_level),
     .values = level_values,
     .def = "info",
     .comment = "debug, info, warn of error"},
    {.section = "http",
     .name = "listen",
     .type = T_STRING,
     .empty_ok = 1,
     .check = check_http_listen,
     .offset = OFF(http_listen),
     .size = SZ(http_listen),
     .def = "127.0.0.1:8080",
     .comment = "HTTP (invoerformulier, dashboard, API, /metrics) op "
                "HOST:POORT; alleen lokaal tenzij anders gekozen, zet er "
                "een reverse proxy met TLS voor; leeg: geen HTTP"},
    {.section = "http",
     .name = "web_dir",
     .type = T_STRING,
     .empty_ok = 1,
     .offset = OFF(web_dir),
     .size = SZ(web_dir),
     .def = LS_WEB_DIR_DEFAULT,
     .comment = "map met de webpagina's, relatief tegenover de "
                "knooppuntmap of absoluut; leeg: alleen de API"},
    {.section = "http",
     .name = "max_connections",
     .type = T_INT,
     .offset = OFF(http_max_connections),
     .min = 8,
     .max = 65536,
     .def = "512",
     .comment = "hoogstens zoveel HTTP-verbindingen tegelijk (ook begrensd "
                "door het aantal bestandsdescriptors); meer wordt "
                "geweigerd en geteld"},
    {.section = "http",
     .name = "max_per_client",
     .type = T_INT,
     .offset = OFF(http_max_per_client),
     .min = 1,
     .max = 65536,
     .def = "64",
     .comment = "hoogstens zoveel verbindingen tegelijk van een adres "
                "(achter een reverse proxy: alles komt van de proxy)"},
    {.section = "http",
     .name = "header_timeout_s",
     .type = T_INT,
     .offset = OFF(http_header_timeout_s),
     .min = 1,
     .max = 600,
     .def = "10",
     .comment = "zo lang mag een client doen over de aanvraagregel en de "
                "headers (seconden)"},
    {.section = "http",
     .name = "body_timeout_s",
     .type = T_INT,
     .offset = OFF(http_body_timeout_s),
     .min = 1,
     .max = 3600,
     .def = "30",
     .comment = "zo lang mag een client doen over de inhoud van een "
                "aanvraag (seconden)"},
    {.section = "http",
     .name = "idle_timeout_s",
     .type = T_INT,
     .offset = OFF(http_idle_timeout_s),
     .min = 1,
     .max = 3600,
     .def = "60",
     .comment = "een verbinding zonder verkeer zo lang openhouden "
                "(seconden)"},
    {.section = "http",
     .name = "header_max_bytes",
     .type = T_INT,
     .offset = OFF(http_header_max_bytes),
     .min = 4096,
     .max = 262144,
     .def = "16384",
     .comment = "aanvraagregel en headers samen hoogstens zoveel bytes; "
                "meer krijgt 431"},
    {.section = "http",
     .name = "store_wait_ms",
     .type = T_INT,
     .offset = OFF(http_store_wait_ms),
     .min = 100,
     .max = 60000,
     .def = "5000",
     .comment = "zo lang wacht een aanvraag op een bezette databank; "
                "daarna 503 met Retry-After"},
};

#define N_KEYS (sizeof keys / sizeof keys[0])

/* The longest value of a T_STRING key: what its buffer holds, and what
 * still fits on one line when ls_config_format writes "name = value" (a
 * value read from "name=value" must read back the same). */
static size_t string_max(const struct key_row *k)
{
	size_t line = LS_CONFIG_MAX_LINE - strlen(k->name) - 3;
	return k->size - 1 < line ? k->size - 1 : line;
}

/* A T_STRING value: length, no control characters, no comment
 * characters, no bidirectional controls, the row's own check. */
static int set_string(const struct key_row *k, char *field, const char *value,
                      size_t len, char *why, size_t why_size)
{
	if (len == 0 && k->empty_ok) {
		field[0] = '\0';
		return LS_OK;
	}
	if (len == 0 || len > string_max(k)) {
		snprintf(why, why_size, "moet 1 tot %zu tekens lang zijn",
		         string_max(k));
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
			snprintf(why, why_size, "mag geen ';' of '#' bevatten");
			return LS_ECONFIG;
		}
	}
	/* a bidirectional control shows a name or a path in
	 * another order than it is (common/text.h) */
	if (ls_utf8_valid(value, len) &&
	    ls_text_chars_flaw(value, len, 0, why, why_size) != NULL)
		return LS_ECONFIG;
	if (k->check != NULL && k->check(value, why, why_size) != LS_OK)
		return LS_ECONFIG;
	memcpy(field, value, len + 1);
	return LS_OK;
}

/* Parse value into the row's field; Dutch reason in why on failure. */
static int set_value(const struct key_row *k, struct ls_config *c,
                     const char *value, char *why, size_t why_size)
{
	char *field = (char *)c + k->offset;
	size_t len = strlen(value);
	switch (k->type) {
	case T_NODE_ID:
		if (len == 0 && k->empty_ok) {
			field[0] = '\0';
			return LS_OK;
		}
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
		return set_string(k, field, value, len, why, why_size);
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

/* Is c a separator of the peers list? */
static int peer_sep(char c)
{
	return c == ' ' || c == '\t' || c == ',';
}

/* One peers word start[0..len) (eq: its first '=', or NULL) into spec:
 * koepel, alle, a node id or id=tcp://host:port. */
static int peer_word_parse(const char *start, size_t len, const char *eq,
                           struct ls_peer_spec *spec, char *why,
                           size_t why_size)
{
	size_t id_len;
	memset(spec, 0, sizeof *spec);
	if (len == 6 && memcmp(start, "koepel", 6) == 0) {
		spec->kind = LS_PEER_AGGREGATORS;
		return LS_OK;
	}
	if (len == 4 && memcmp(start, "alle", 4) == 0) {
		spec->kind = LS_PEER_ALL;
		return LS_OK;
	}
	id_len = eq != NULL ? (size_t)(eq - start) : len;
	if (!ls_node_id_valid(start, id_len)) {
		snprintf(why, why_size,
		         "'%.*s' is geen koepel, alle, node-id of "
		         "id=tcp://host:poort",
		         (int)(len > 60 ? 60 : len), start);
		return LS_ECONFIG;
	}
	spec->kind = LS_PEER_NODE;
	memcpy(spec->node_id, start, id_len);
	if (eq != NULL) {
		size_t ep_len = len - id_len - 1;
		if (ep_len < 6 || memcmp(eq + 1, "tcp://", 6) != 0 ||
		    !ls_endpoint_valid(eq + 1, ep_len)) {
			snprintf(why, why_size,
			         "'%.*s': verwacht "
			         "id=tcp://host:poort",
			         (int)(len > 60 ? 60 : len), start);
			return LS_ECONFIG;
		}
		memcpy(spec->endpoint, eq + 1, ep_len);
	}
	return LS_OK;
}

static int peer_listed(const struct ls_peer_spec *out, size_t n,
                       const struct ls_peer_spec *spec)
{
	for (size_t i = 0; i < n; i++)
		if (out[i].kind == spec->kind &&
		    strcmp(out[i].node_id, spec->node_id) == 0)
			return 1;
	return 0;
}

int ls_config_peers_parse(const char *text, struct ls_peer_spec *out,
                          size_t max, size_t *n, char *why, size_t why_size)
{
	const char *p = text;
	*n = 0;
	for (;;) {
		const char *start, *eq = NULL;
		struct ls_peer_spec spec;
		size_t len;
		int rc;

		while (*p != '\0' && peer_sep(*p))
			p++;
		if (*p == '\0')
			return LS_OK;
		start = p;
		while (*p != '\0' && !peer_sep(*p)) {
			if (*p == '=' && eq == NULL)
				eq = p;
			p++;
		}
		len = (size_t)(p - start);
		rc = peer_word_parse(start, len, eq, &spec, why, why_size);
		if (rc != LS_OK)
			return rc;
		if (peer_listed(out, *n, &spec)) {
			snprintf(why, why_size, "'%.*s' staat er twee keer",
			         (int)(len > 60 ? 60 : len), start);
			return LS_ECONFIG;
		}
		if (*n >= max) {
			snprintf(why, why_size, "te veel peers (max %zu)", max);
			return LS_ECONFIG;
		}
		out[(*n)++] = spec;
	}
}
