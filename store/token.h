/*
 * API tokens in the store: one row per token with its id, the hash of
 * its secret (core/token.h), its role and whom it belongs to. The secret
 * itself is never stored. Tokens are never deleted, only revoked, so
 * that a list shows every token that ever had access.
 *
 * A struct store_token has fixed buffers; nothing is allocated for the
 * caller.
 */
#ifndef LS_STORE_TOKEN_H
#define LS_STORE_TOKEN_H

#include <stdint.h>

#include "common/err.h"
#include "core/signal.h"
#include "core/token.h"

struct store;

struct store_token {
	uint8_t id[LS_TOKEN_ID_BYTES];
	uint8_t hash[LS_TOKEN_HASH_BYTES];
	uint8_t role;                               /* enum ls_token_role */
	char organisation[LS_ORGANISATION_MAX + 1]; /* "" if none */
	char person[LS_REPORTER_MAX + 1];           /* "" if none */
	char label[LS_TOKEN_LABEL_MAX + 1];         /* "" if none */
	char created_by[LS_TOKEN_ACTOR_MAX + 1];    /* "" if unknown */
	int64_t created_at;                         /* Unix time */
	int64_t expires_at;                         /* 0: never */
	int64_t revoked_at;                         /* 0: not revoked */
};

/* Store a new token (t->revoked_at is ignored: a new token is active).
 * The texts are checked with ls_token_check. LS_EEXISTS if the id is
 * taken, LS_EINVAL/LS_ELIMIT (Dutch message in *e). Commits. */
int store_token_add(struct store *s, const struct store_token *t,
                    struct ls_errinfo *e);

/* The token with this id into *out. LS_ENOTFOUND. */
int store_token_get(struct store *s, const uint8_t id[LS_TOKEN_ID_BYTES],
                    struct store_token *out);

/* Every token (revoked ones too when include_revoked), oldest first.
 * A callback returning non-zero stops the walk; that value is returned. */
int store_token_list(struct store *s, int include_revoked,
                     int (*cb)(void *ctx, const struct store_token *t),
                     void *ctx);

/* Revoke a token from time `at` on. LS_ENOTFOUND; LS_ESTATE if it was
 * revoked already (nothing changes). Commits. */
int store_token_revoke(struct store *s, const uint8_t id[LS_TOKEN_ID_BYTES],
                       int64_t at, struct ls_errinfo *e);

#endif
