/*
 * Status: a node's health, published by every node; the latest wins
 * (see PROTOCOL.md, "Status"). Only codes, counts and times: no names of
 * people or organisations, and nothing about signals (PROTOCOL.md 5.5:
 * no signal count, no capture time — an attacker holding every status
 * would difference them). Operators see those locally (signaalctl
 * status, /metrics, the API).
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
	char name[LS_CODE_SIZE]; /* e.g. "docs_rejected" (never a signal count) */
	uint64_t value;          /* <= LS_SEQ_MAX */
};

struct ls_status {
	char software[LS_SOFTWARE_MAX + 1]; /* [0-9A-Za-z.+_-], not empty */
	uint64_t uptime;                    /* seconds */
	/* Key 2, formerly the last capture time. A writer MUST write 0;
	 * documents of older software may hold a time: decoded (so their
	 * feeds stay whole) and never shown or used. */
	int64_t legacy_capture;
	size_t n_peers;
	struct ls_status_peer *peers; /* owned, sorted by node_id */
	size_t n_counters;
	struct ls_status_counter counters[LS_STATUS_MAX_COUNTERS]; /* by name */
};

void proto_status_fini(struct ls_status *s);

/* 1 if a counter name is one a writer MUST NOT publish: anything about
 * signals (a name starting with "signal" or "capture"). Receivers MUST
 * NOT show such a counter from older software. */
int proto_status_counter_private(const char *name);

int proto_status_validate(const struct ls_status *s, struct ls_errinfo *e);

#endif
