/*
 * Status: a node's health, published by every node; the latest wins
 * (see PROTOCOL.md, "Status"). Only codes, counts and times: no names of
 * people or organisations.
 *
 * Ownership: a struct ls_status owns its peers array; proto_status_fini().
 */
#ifndef LS_PROTO_DOC_STATUS_H
#define LS_PROTO_DOC_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/summary.h"
#include "proto/limits.h"

struct ls_status_peer {
	char node_id[LS_NODE_ID_SIZE];
	int64_t last_sync;         /* 0: never */
	char result[LS_CODE_SIZE]; /* "ok" or an error name ("net", ...) */
};

struct ls_status_counter {
	char name[LS_CODE_SIZE]; /* e.g. "signals_total", "docs_rejected" */
	uint64_t value;          /* <= LS_SEQ_MAX */
};

struct ls_status {
	char software[LS_SOFTWARE_MAX + 1]; /* [0-9A-Za-z.+_-], not empty */
	uint64_t uptime;                    /* seconds */
	int64_t last_capture;               /* 0: never */
	size_t n_peers;
	struct ls_status_peer *peers; /* owned, sorted by node_id */
	size_t n_counters;
	struct ls_status_counter counters[LS_STATUS_MAX_COUNTERS]; /* by name */
};

void proto_status_fini(struct ls_status *s);

int proto_status_validate(const struct ls_status *s, struct ls_errinfo *e);

#endif
