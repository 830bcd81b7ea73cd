/*
 * Who a node is: the rules for node ids and the roles a member can have.
 * One definition for the config file, the roster on the wire and the CLI.
 */
#ifndef LS_CORE_MEMBER_H
#define LS_CORE_MEMBER_H

#include <stddef.h>

/* A node id: at most LS_NODE_ID_MAX bytes of [a-z0-9-] (e.g. "kortrijk"). */
#define LS_NODE_ID_MAX 47
#define LS_NODE_ID_SIZE (LS_NODE_ID_MAX + 1)

/* A document's hash: BLAKE2b-256 of its payload (PROTOCOL.md). */
#define LS_HASH_BYTES 32

/* An endpoint where a node listens: "tcp://HOST:PORT" or
 * "tls+tcp://HOST:PORT", at most LS_ENDPOINT_MAX bytes (PROTOCOL.md,
 * roster). */
#define LS_ENDPOINT_MAX 127

/* A member's role in the federation; the values are also the wire values
 * (PROTOCOL.md, roster). */
enum ls_role {
	LS_ROLE_MUNICIPALITY = 1, /* "gemeente": authors summaries and notes */
	LS_ROLE_AGGREGATOR = 2,   /* "koepel": the association's node */
};

/* 1 if text[0..len) is a node id: 1..LS_NODE_ID_MAX bytes of [a-z0-9-],
 * not starting or ending with '-'; else 0. */
int ls_node_id_valid(const char *text, size_t len);

/* 1 if text[0..len) is an endpoint: "tcp://" or "tls+tcp://", then a
 * host ([A-Za-z0-9.-]+, or '[' hex digits, ':' and '.' ']'), ':' and a
 * port 1..65535 without leading zero; at most LS_ENDPOINT_MAX bytes. The
 * rule of the roster and of the node configuration. */
int ls_endpoint_valid(const char *text, size_t len);

/* Dutch name of a role ("gemeente", "koepel"); "?" for another value. */
const char *ls_role_name(int role);

#endif
