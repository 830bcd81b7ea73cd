/*
 * The node configuration file (DIR/signaal.ini), parsed with inih.
 *
 * Every key is one row of a table in config.c: section, name, type,
 * where it goes in struct ls_config, limits, default, and a one-line
 * Dutch comment written into new files. Adding a key (or a whole
 * section, such as [federation] or [http]) is adding a field to struct
 * ls_config and a row to that table; parsing, defaults, duplicate and
 * unknown-key checks and ls_config_format follow from it.
 *
 * Unknown sections or keys, a key given twice, a bad value, a missing
 * required key, a line that is not INI, invalid UTF-8 or a NUL byte: each
 * is LS_ECONFIG with a Dutch message naming the line (or the key).
 */
#ifndef LS_CORE_CONFIG_H
#define LS_CORE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/member.h"
#include "core/summary.h"

/* A config file is small; anything larger is refused unread. */
#define LS_CONFIG_MAX_BYTES (64 * 1024)
/* inih's line buffer on Debian is 200 bytes including CR, LF and NUL. */
#define LS_CONFIG_MAX_LINE 196

#define LS_CONFIG_NAME_SIZE 128
#define LS_CONFIG_PATH_SIZE 256

enum ls_synchronous {
	LS_SYNC_NORMAL = 1, /* survives a crash of the process */
	LS_SYNC_FULL = 2,   /* also survives a power loss (default) */
};

/* Yes/no keys (T_ENUM values "nee", "ja"). */
enum ls_yesno {
	LS_NO = 1,
	LS_YES = 2,
};

/* Room for the [sync] peers list (a config line is at most
 * LS_CONFIG_MAX_LINE bytes). */
#define LS_CONFIG_PEERS_SIZE 200
/* Most peers one list can name. */
#define LS_CONFIG_MAX_PEERS 64

struct ls_config {
	/* [node] */
	char node_id[LS_NODE_ID_SIZE];
	char node_name[LS_CONFIG_NAME_SIZE];
	uint8_t role; /* enum ls_role (core/node.h) */
	/* [store] */
	char store_path[LS_CONFIG_PATH_SIZE]; /* relative to the node dir */
	uint8_t synchronous;                  /* enum ls_synchronous */
	int64_t busy_timeout_ms;
	/* [retention] */
	int64_t description_months; /* free text kept this long */
	/* [trends] (core/trends.h; docs/TRENDS.md) */
	int64_t trends_window;         /* periods shown by default */
	int64_t trends_growth_periods; /* growth over the last N periods */
	int64_t trends_growth_full;    /* % growth for full growth points */
	int64_t trends_top;            /* leading themes in the bundle */
	int64_t trends_w_spread;       /* weights of the priority score */
	int64_t trends_w_rising;
	int64_t trends_w_growth;
	int64_t trends_w_recurrence;
	int64_t trends_w_breadth;
	int64_t trends_w_scale;
	int64_t trends_w_youth;
	/* [disclosure]: the node's own release settings, stricter than the
	 * federation's policy (core/policy.h); 0 means "as the federation" */
	uint8_t disclosure_mode; /* 0 federatie, 1 drempel, 2 ruis */
	int64_t disclosure_k;
	int64_t disclosure_epsilon_milli;
	int64_t disclosure_withhold_below;
	int64_t disclosure_settle_days;
	int64_t disclosure_budget_milli;
	/* [federation] */
	char federation_id[LS_NODE_ID_SIZE];   /* "": not in a federation */
	char anchor_path[LS_CONFIG_PATH_SIZE]; /* the federation's key */
	/* [sync] */
	char listen[LS_ENDPOINT_MAX + 1]; /* "": do not listen */
	char peers[LS_CONFIG_PEERS_SIZE]; /* see ls_config_peers_parse */
	int64_t sync_interval_s;          /* between rounds per peer */
	int64_t backoff_max_s;            /* longest wait after failures */
	int64_t timeout_ms;               /* per request */
	int64_t page_docs;                /* max_docs of a docs_req */
	int64_t page_bytes;               /* max_bytes of a docs_req */
	int64_t max_requests;             /* served at once */
	int64_t sync_max_connections;     /* peers' connections open at once */
	int64_t sync_max_per_client;      /* of them from one address */
	uint8_t push;                     /* enum ls_yesno */
	/* [secagg] (node/secagg_sync.h; docs/SECAGG.md) */
	uint8_t secagg_enabled;          /* enum ls_yesno */
	int64_t secagg_mu_signals_milli; /* noise mu x 1000, signals */
	int64_t secagg_mu_persons_milli; /* noise mu x 1000, persons */
	int64_t secagg_min_parties;      /* fewest municipalities in a total */
	int64_t secagg_wait_intervals;   /* a phase's wait, in sync intervals */
	/* [daemon] */
	int64_t status_interval_s;  /* publish a status document */
	int64_t release_interval_s; /* look for periods to release */
	int64_t purge_interval_s;   /* retention purge of free text */
	int64_t state_interval_s;   /* write the metrics and status files */
	int64_t shutdown_timeout_s; /* a stop that takes longer is ended */
	char metrics_file[LS_CONFIG_PATH_SIZE]; /* "": none */
	char status_file[LS_CONFIG_PATH_SIZE];  /* "": none */
	uint8_t log_level;                      /* enum ls_log_level */
	/* [http] (daemon/http.c; docs/API.md) */
	char http_listen[LS_ENDPOINT_MAX + 1]; /* "HOST:PORT"; "": no HTTP */
	char web_dir[LS_CONFIG_PATH_SIZE];     /* the pages; "": none */
	int64_t http_max_connections; /* open at once, all clients */
	int64_t http_max_per_client;  /* open at once from one address */
	int64_t http_header_timeout_s; /* request line and headers */
	int64_t http_body_timeout_s;   /* the whole body */
	int64_t http_idle_timeout_s;   /* a connection without traffic */
	int64_t http_header_max_bytes; /* request line and headers */
	int64_t http_store_wait_ms;    /* wait for a busy store, then 503 */
};

/* Where `make install` puts the web pages: [http] web_dir's default. */
#ifndef LS_WEB_DIR_DEFAULT
#define LS_WEB_DIR_DEFAULT "/usr/local/share/signaal/web"
#endif

/* One entry of the [sync] peers list. */
enum ls_peer_kind {
	LS_PEER_AGGREGATORS = 1, /* "koepel": every aggregator of the roster */
	LS_PEER_ALL = 2,         /* "alle": every member of the roster */
	LS_PEER_NODE = 3,        /* a node id, with or without an endpoint */
};

struct ls_peer_spec {
	uint8_t kind; /* enum ls_peer_kind */
	char node_id[LS_NODE_ID_SIZE];
	char endpoint[LS_ENDPOINT_MAX + 1]; /* "": from the roster */
};

/*
 * Parse a peers list: entries separated by spaces or commas, each
 * "koepel", "alle", a node id, or "ID=tcp://HOST:PORT" (an endpoint that
 * overrides the roster's). At most max entries into out, *n of them.
 * LS_ECONFIG with a Dutch reason in why (why_size bytes) otherwise.
 */
int ls_config_peers_parse(const char *text, struct ls_peer_spec *out,
                          size_t max, size_t *n, char *why, size_t why_size);

/* Fill *c with every key's default (required keys become ""). */
void ls_config_defaults(struct ls_config *c);

/* Parse the text of a config file (len bytes, need not be NUL-ended)
 * into *c, on top of the defaults. */
int ls_config_parse(const char *text, size_t len, struct ls_config *c,
                    struct ls_errinfo *e);

/* Write the config as INI text (every key, with its comment) into
 * buf[0..size). LS_ELIMIT if it does not fit. */
int ls_config_format(const struct ls_config *c, char *buf, size_t size);

#endif
