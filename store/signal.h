/*
 * Signals in the store: capture, listing with filters, right to erasure,
 * and retention (purge of free text).
 *
 * Reading calls back once per signal with a struct ls_signal whose text
 * fields and taxonomy pointers are valid only during the callback. A
 * callback returning non-zero stops the listing, and that value is
 * returned.
 *
 * Erase and purge also checkpoint the WAL (store_checkpoint), because
 * with secure_delete on, deleted or blanked text is overwritten in the
 * database file only once its pages are written back; until then an old
 * copy lives in the -wal file.
 */
#ifndef LS_STORE_SIGNAL_H
#define LS_STORE_SIGNAL_H

#include <stdint.h>

#include "common/err.h"
#include "core/period.h"
#include "core/signal.h"

struct store;

/* A position in a listing, for keyset pagination: the registration
 * date and the store's row number of the last signal seen. */
struct store_signal_cursor {
	struct ls_date registered_at;
	int64_t seq;
};

struct store_signal_filter {
	int has_period;
	struct ls_period period; /* by registered_at */
	const char *theme;       /* code; a shared code matches its
	                            local sub-codes too; NULL: any */
	const char *age;         /* code, same rule; NULL: any */
	int status;              /* enum ls_signal_status, -1: any */
	uint64_t limit;          /* 0: no limit */
	/* Added for the API (zero keeps the behaviour above): */
	const char *organisation; /* exact name; NULL: any */
	const char *reporter;     /* exact local id (with organisation);
	                             NULL: any */
	int newest_first;         /* 1: newest registration first */
	int has_cursor;           /* 1: only signals after `cursor` in the
	                             listing's order */
	struct store_signal_cursor cursor;
	/* Added for the coordinator's search (zero keeps the above): */
	const char *target; /* target-group code, same rule as theme */
	const char *sector; /* sector code, same rule */
	const char *text;   /* words to find (case-insensitive for ASCII,
	                       literally: % and _ are no wildcards) in the
	                       description, neighbourhood or organisation;
	                       at most STORE_SIGNAL_SEARCH_MAX bytes */
	int64_t dossier;    /* > 0: only signals linked to this dossier */
};

#define STORE_SIGNAL_SEARCH_MAX 200

/* Called per signal; created_at is when it was stored (Unix time). */
typedef int (*store_signal_cb)(void *ctx, const struct ls_signal *sig,
                               int64_t created_at);

/* Store one validated signal (ls_signal_validate) and commit. Draws a
 * random id unless sig->has_id; the id is written back into sig->id,
 * and its codes are put in the store's order.
 * LS_EEXISTS if the id is taken. */
int store_signal_insert(struct store *s, struct ls_signal *sig,
                        struct ls_errinfo *e);

/* Idempotent capture (docs/API.md, "Idempotency-Key"). key is a hash of
 * the client's key and its token, request a hash of the request body
 * (STORE_CAPTURE_HASH_BYTES each). */
#define STORE_CAPTURE_HASH_BYTES 32

/* Store sig (as store_signal_insert) and remember key -> its id and the
 * request hash, in one transaction (the caller's, when one is open).
 * LS_EEXISTS when the key is known already (nothing stored). */
int store_signal_insert_keyed(struct store *s, struct ls_signal *sig,
                              const uint8_t key[STORE_CAPTURE_HASH_BYTES],
                              const uint8_t request[STORE_CAPTURE_HASH_BYTES],
                              struct ls_errinfo *e);

/* One capture: store sig as store_signal_insert (key and request NULL)
 * or store_signal_insert_keyed does, and set *created_at (NULL: not
 * wanted) to the time stored with it. Afterwards sig is what
 * store_signal_get would read back (its codes in the store's order,
 * taxonomy id ascending; the id drawn), so that a caller can show what
 * was stored without reading it again. */
int store_signal_capture(struct store *s, struct ls_signal *sig,
                         const uint8_t *key, const uint8_t *request,
                         int64_t *created_at, struct ls_errinfo *e);

/* The signal a key stored: *found 0 when the key is unknown; else id
 * and *same (1 when request is the hash the key was first used with). */
int store_capture_key_find(struct store *s,
                           const uint8_t key[STORE_CAPTURE_HASH_BYTES],
                           const uint8_t request[STORE_CAPTURE_HASH_BYTES],
                           int *found, int *same,
                           uint8_t id[LS_SIGNAL_ID_BYTES]);

/* Signals matching *f (NULL: all), oldest registration first.
 * LS_EINVAL for an unknown code in the filter. */
int store_signal_list(struct store *s, const struct store_signal_filter *f,
                      store_signal_cb cb, void *ctx, struct ls_errinfo *e);

/* One page of a listing: like store_signal_list, with f->limit (1 or
 * more) signals at most. *more is 1 when further signals match after the
 * page, and *last is then the position to pass as f->cursor for the next
 * page. */
int store_signal_page(struct store *s, const struct store_signal_filter *f,
                      store_signal_cb cb, void *ctx,
                      struct store_signal_cursor *last, int *more,
                      struct ls_errinfo *e);

/* Signals per month and theme, for trends: for each of the n_months
 * months from `first` (a month index, core/period.h) and each shared
 * theme code with signals registered in that month, cb(ctx, month index,
 * code, count). A local sub-code counts under its shared code. Calls
 * come in (month, code) order. n_months is 1..120. */
int store_signal_theme_months(struct store *s, int32_t first, int32_t n_months,
                              int (*cb)(void *ctx, int32_t month,
                                        const char *theme, uint64_t count),
                              void *ctx, struct ls_errinfo *e);

/* One signal by id; LS_ENOTFOUND. */
int store_signal_get(struct store *s, const uint8_t id[LS_SIGNAL_ID_BYTES],
                     store_signal_cb cb, void *ctx, struct ls_errinfo *e);

/* Every organisation that reported a signal here, by name, with how
 * many signals it reported. */
int store_signal_organisations(struct store *s,
                               int (*cb)(void *ctx, const char *name,
                                         uint64_t n_signals),
                               void *ctx, struct ls_errinfo *e);

/* Number of signals in the store. */
int store_signal_count(struct store *s, uint64_t *n);

/* When the latest signal was stored (Unix time), 0 if there is none. */
int store_signal_last_capture(struct store *s, int64_t *t);

/* Right to erasure: delete the signal, its theme and target-group rows,
 * its links to dossiers, and its reporter if no other signal names that
 * reporter; commit; checkpoint. *wiped (may be NULL) is 1 when the
 * checkpoint completed, so that no file holds the old bytes any more;
 * 0 when another process kept the WAL busy (the next checkpoint finishes
 * it). LS_ENOTFOUND. */
int store_signal_erase(struct store *s, const uint8_t id[LS_SIGNAL_ID_BYTES],
                       int *wiped, struct ls_errinfo *e);

/* Retention: blank the description of every signal registered before
 * `before` (dates compare as days); counts, codes and everything else
 * stay. dry_run counts without changing anything. *count gets the number
 * of descriptions (to be) blanked; *wiped as for erase. */
int store_signal_purge(struct store *s, const struct ls_date *before,
                       int dry_run, uint64_t *count, int *wiped,
                       struct ls_errinfo *e);

#endif
