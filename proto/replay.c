/*
 * Replay guard: a table of recent (sender key, nonce) -> (digest, time,
 * cached reply), with an open-addressing index keyed by SipHash under a
 * random key (so a member choosing nonces cannot make chains long).
 *
 * The table starts small and doubles up to max_entries. When it is full,
 * a sweep first drops every entry older than the window (their requests
 * would be refused as stale anyway) and rebuilds the index; only a table
 * full of live entries refuses (LS_EBUSY). Cached replies are copies,
 * counted against the byte budget and freed with their entry.
 */
#include "proto/replay.h"
#include "common/alloc.h"

#include <sodium.h>
#include <string.h>

struct entry {
	uint8_t kid[LS_KEY_ID_BYTES];
	uint8_t nonce[LS_SESSION_NONCE_BYTES];
	uint8_t digest[32];
	int64_t ts;
	uint8_t *reply;
	size_t reply_len;
};

struct proto_replay {
	size_t max, n, cap;
	struct entry *entries;
	uint32_t *slots; /* entry index + 1; 0 is empty */
	size_t n_slots;  /* a power of two >= 2 * cap */
	size_t budget, reply_bytes;
	int64_t last_now;
	uint8_t hkey[crypto_shorthash_KEYBYTES];
};

#define INITIAL_CAP 64

static size_t slot_of(const struct proto_replay *g, const uint8_t *kid,
                      const uint8_t *nonce)
{
	uint8_t in[LS_KEY_ID_BYTES + LS_SESSION_NONCE_BYTES];
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v = 0;
	memcpy(in, kid, LS_KEY_ID_BYTES);
	memcpy(in + LS_KEY_ID_BYTES, nonce, LS_SESSION_NONCE_BYTES);
	crypto_shorthash(h, in, sizeof in, g->hkey);
	for (int i = 0; i < 8; i++)
		v = v << 8 | h[i];
	return (size_t)(v & (g->n_slots - 1));
}

static int find(const struct proto_replay *g, const uint8_t *kid,
                const uint8_t *nonce, size_t *index)
{
	size_t s = slot_of(g, kid, nonce);
	while (g->slots[s] != 0) {
		const struct entry *x = &g->entries[g->slots[s] - 1];
		if (memcmp(x->kid, kid, LS_KEY_ID_BYTES) == 0 &&
		    memcmp(x->nonce, nonce, LS_SESSION_NONCE_BYTES) == 0) {
			*index = g->slots[s] - 1;
			return 1;
		}
		s = (s + 1) & (g->n_slots - 1);
	}
	return 0;
}

static void index_rebuild(struct proto_replay *g)
{
	memset(g->slots, 0, g->n_slots * sizeof *g->slots);
	for (size_t i = 0; i < g->n; i++) {
		size_t s = slot_of(g, g->entries[i].kid, g->entries[i].nonce);
		while (g->slots[s] != 0)
			s = (s + 1) & (g->n_slots - 1);
		g->slots[s] = (uint32_t)(i + 1);
	}
}

/* Allocate entries and slots for cap entries (entries are kept). */
static int resize(struct proto_replay *g, size_t cap)
{
	size_t n_slots = 1;
	struct entry *entries;
	uint32_t *slots;
	while (n_slots < 2 * cap)
		n_slots *= 2;
	slots = ls_calloc(n_slots, sizeof *slots);
	if (slots == NULL)
		return LS_ENOMEM;
	entries = ls_realloc(g->entries, cap * sizeof *entries);
	if (entries == NULL) {
		ls_free(slots);
		return LS_ENOMEM;
	}
	ls_free(g->slots);
	g->entries = entries;
	g->slots = slots;
	g->n_slots = n_slots;
	g->cap = cap;
	index_rebuild(g);
	return LS_OK;
}

int proto_replay_new(size_t max_entries, size_t reply_budget,
                     struct proto_replay **out)
{
	struct proto_replay *g;
	if (max_entries < 1 || max_entries > UINT32_MAX / 4)
		return LS_EINVAL;
	if (sodium_init() < 0)
		return LS_ECRYPTO;
	g = ls_calloc(1, sizeof *g);
	if (g == NULL)
		return LS_ENOMEM;
	g->max = max_entries;
	g->budget = reply_budget;
	crypto_shorthash_keygen(g->hkey);
	if (resize(g, max_entries < INITIAL_CAP ? max_entries : INITIAL_CAP) !=
	    LS_OK) {
		proto_replay_free(g);
		return LS_ENOMEM;
	}
	*out = g;
	return LS_OK;
}

void proto_replay_free(struct proto_replay *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < g->n; i++)
		ls_free(g->entries[i].reply);
	ls_free(g->entries);
	ls_free(g->slots);
	ls_free(g);
}

static int stale(const struct entry *x, int64_t now)
{
	return x->ts < now - LS_SESSION_WINDOW;
}

/* Drop entries older than the window; returns how many were dropped. */
static size_t sweep(struct proto_replay *g, int64_t now)
{
	size_t kept = 0, dropped;
	for (size_t i = 0; i < g->n; i++) {
		struct entry *x = &g->entries[i];
		if (stale(x, now)) {
			g->reply_bytes -= x->reply_len;
			ls_free(x->reply);
			continue;
		}
		g->entries[kept++] = *x;
	}
	dropped = g->n - kept;
	g->n = kept;
	if (dropped > 0)
		index_rebuild(g);
	return dropped;
}

int proto_replay_check(struct proto_replay *g,
                       const struct ls_session_request *req, int64_t now,
                       int *verdict, const uint8_t **cached, size_t *cached_len)
{
	struct entry *x;
	size_t i;

	g->last_now = now;
	if (req->ts < now - LS_SESSION_WINDOW)
		return LS_EREPLAY;
	if (find(g, req->sender_key_id, req->nonce, &i)) {
		x = &g->entries[i];
		if (sodium_memcmp(x->digest, req->digest, sizeof x->digest) !=
		    0)
			return LS_EREPLAY;
		*verdict = PROTO_REPLAY_RESEND;
		*cached = x->reply;
		*cached_len = x->reply_len;
		return LS_OK;
	}
	if (g->n == g->cap && sweep(g, now) == 0) {
		if (g->cap == g->max)
			return LS_EBUSY;
		if (resize(g, g->cap > g->max / 2 ? g->max : 2 * g->cap) !=
		    LS_OK)
			return LS_ENOMEM;
	}
	x = &g->entries[g->n];
	memcpy(x->kid, req->sender_key_id, LS_KEY_ID_BYTES);
	memcpy(x->nonce, req->nonce, LS_SESSION_NONCE_BYTES);
	memcpy(x->digest, req->digest, sizeof x->digest);
	x->ts = req->ts;
	x->reply = NULL;
	x->reply_len = 0;
	g->n++;
	{
		size_t s = slot_of(g, x->kid, x->nonce);
		while (g->slots[s] != 0)
			s = (s + 1) & (g->n_slots - 1);
		g->slots[s] = (uint32_t)g->n;
	}
	*verdict = PROTO_REPLAY_NEW;
	*cached = NULL;
	*cached_len = 0;
	return LS_OK;
}

int proto_replay_remember_reply(struct proto_replay *g,
                                const struct ls_session_request *req,
                                const uint8_t *reply, size_t len)
{
	struct entry *x;
	uint8_t *copy;
	size_t i;

	if (!find(g, req->sender_key_id, req->nonce, &i) ||
	    sodium_memcmp(g->entries[i].digest, req->digest, 32) != 0)
		return LS_ENOTFOUND;
	if (len > g->budget - g->reply_bytes) {
		sweep(g, g->last_now);
		if (!find(g, req->sender_key_id, req->nonce, &i))
			return LS_ENOTFOUND;
		if (len > g->budget - g->reply_bytes)
			return LS_ELIMIT;
	}
	x = &g->entries[i];
	copy = ls_malloc(len);
	if (copy == NULL)
		return LS_ENOMEM;
	memcpy(copy, reply, len);
	g->reply_bytes -= x->reply_len;
	ls_free(x->reply);
	x->reply = copy;
	x->reply_len = len;
	g->reply_bytes += len;
	return LS_OK;
}

size_t proto_replay_entries(const struct proto_replay *g)
{
	return g->n;
}

size_t proto_replay_reply_bytes(const struct proto_replay *g)
{
	return g->reply_bytes;
}
