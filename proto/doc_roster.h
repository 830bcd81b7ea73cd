/*
 * The roster: who is in the federation, with which keys, at which
 * endpoints; signed by the federation key (see PROTOCOL.md, "Roster").
 *
 * Keys are never dropped from a roster: a rotated key stays listed with
 * valid_until set, so what it signed while valid stays verifiable; a
 * compromised key is revoked (a revocation names the time and the last
 * feed position from which its signatures are refused).
 *
 * Ownership: a struct ls_roster owns its arrays (members, their keys and
 * endpoints, federation keys, revocations, the lookup index). Release with
 * proto_roster_fini(). Pointers returned by lookups point into the roster
 * and live as long as it.
 */
#ifndef LS_PROTO_DOC_ROSTER_H
#define LS_PROTO_DOC_ROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/member.h"
#include "core/summary.h"
#include "proto/key.h"
#include "proto/limits.h"

struct ls_roster_key {
	uint8_t key_id[LS_KEY_ID_BYTES];
	uint8_t pk[LS_PUBKEY_BYTES];
	int64_t valid_from;  /* Unix seconds */
	int64_t valid_until; /* 0: no end; else > valid_from, exclusive */
};

struct ls_roster_member {
	char node_id[LS_NODE_ID_SIZE];
	char name[LS_NAME_MAX + 1]; /* display name, UTF-8 */
	uint8_t role;               /* enum ls_role */
	int64_t left; /* 0: a member; else the time it left (exclusive) */
	/* Its feed closes at a point too (PROTOCOL.md 6, "Removal"): with
	 * has_left_seq, no document of it after left_seq is valid, whatever
	 * its created. Only with left != 0; set once, never changed. */
	int has_left_seq;
	uint64_t left_seq;
	size_t n_keys;
	struct ls_roster_key *keys; /* owned, 1..LS_ROSTER_MAX_KEYS */
	size_t n_endpoints;
	char (*endpoints)[LS_ENDPOINT_MAX + 1]; /* owned */
};

struct ls_roster_revocation {
	uint8_t key_id[LS_KEY_ID_BYTES];
	int64_t at;         /* signatures from this time on are refused */
	uint64_t after_seq; /* ... and those on feed positions > after_seq */
	char reason[LS_CODE_SIZE]; /* code, may be "" */
};

/* Lookup index entry: key id -> owner (member index, or -1 for the
 * federation) and position in its key array. */
struct ls_roster_keyref {
	uint8_t key_id[LS_KEY_ID_BYTES];
	int32_t member;
	uint32_t key;
};

struct ls_roster {
	char federation[LS_NODE_ID_SIZE]; /* origin of federation documents */
	size_t n_fed_keys;
	struct ls_roster_key *fed_keys; /* owned, 1..LS_ROSTER_MAX_KEYS */
	size_t n_members;
	struct ls_roster_member *members; /* owned, sorted by node_id */
	size_t n_revocations;
	struct ls_roster_revocation *revocations; /* owned, by key_id */
	size_t n_index;
	struct ls_roster_keyref *index; /* owned, by key_id */
};

/* What a key id resolves to. */
struct ls_key_ref {
	const struct ls_roster_key *key;
	const struct ls_roster_member *member; /* NULL: a federation key */
	const struct ls_roster_revocation *revocation; /* NULL: not revoked */
};

/* Free everything and zero *r. */
void proto_roster_fini(struct ls_roster *r);

/* Check a roster built in memory against every rule of the format (the
 * decoder applies the same rules): ids, charsets, sorting, unique key ids
 * that match their public keys, validity windows, revocations of listed
 * keys. LS_OK or LS_EINVAL with details. */
int proto_roster_validate(const struct ls_roster *r, struct ls_errinfo *e);

/* (Re)build the key-id index (done by the decoder; call it after building
 * a roster by hand). LS_ENOMEM, LS_EINVAL (duplicate key id). */
int proto_roster_index(struct ls_roster *r);

/* Resolve a key id. LS_OK, or LS_EKEY if the roster does not list it. */
int proto_roster_find_key(const struct ls_roster *r,
                          const uint8_t key_id[LS_KEY_ID_BYTES],
                          struct ls_key_ref *out);

/* The member with this node id, or NULL. */
const struct ls_roster_member *
proto_roster_find_member(const struct ls_roster *r, const char *node_id);

/* The key a member holds sessions with at `now`: of its keys that
 * proto_key_check_session() allows, the one valid from the latest time;
 * NULL if none (removed, revoked, expired). Points into the roster. */
const struct ls_roster_key *
proto_roster_member_key(const struct ls_roster *r,
                        const struct ls_roster_member *m, int64_t now);

/*
 * The same, but while a rotation's overlap leaves a member two keys it
 * may hold sessions with (PROTOCOL.md 6, "Rotation"), the one with id
 * `used` (the key that signed its latest document held; NULL: none
 * known) if it is one of them: the member may not have installed its
 * new key yet.
 */
const struct ls_roster_key *
proto_roster_member_key_used(const struct ls_roster *r,
                             const struct ls_roster_member *m, int64_t now,
                             const uint8_t *used);

/*
 * May the key sign a document created at `created` at feed position
 * `seq`? LS_OK; LS_EEXPIRED (outside the key's window); LS_EREVOKED (the
 * key is revoked for that time or position, or its member had left).
 */
int proto_key_check_doc(const struct ls_key_ref *k, int64_t created,
                        uint64_t seq);

/* May the key open a session now? Federation keys never do (LS_EDENIED);
 * LS_EEXPIRED, LS_EREVOKED as above. */
int proto_key_check_session(const struct ls_key_ref *k, int64_t now);

/*
 * Is `next` an acceptable successor of `prev`? The federation id is
 * unchanged; every key of prev is still listed, with the same owner,
 * public key and valid_from, and a valid_until that is unchanged or newly
 * set no earlier than `created` (the successor's creation time: history
 * is changed only by revocation); no member is dropped and no revocation
 * withdrawn. LS_OK or LS_EINVAL with details.
 */
int proto_roster_check_successor(const struct ls_roster *prev,
                                 const struct ls_roster *next, int64_t created,
                                 struct ls_errinfo *e);

#endif
