/*
 * The audit log: an append-only, hash-chained record of what left this
 * node — every release and correction of a summary (what, when, who,
 * under which parameters, what was suppressed or noised, what it cost)
 * and, appended by the daemon, every document sent to a peer (to whom).
 * The municipality's data protection officer reads it with `signaalctl
 * audit show` and checks it with `signaalctl audit verify`.
 *
 * The chain. Entry n carries prev = hash of entry n - 1 (32 zero bytes
 * for entry 1) and hash = BLAKE2b-256 over a fixed, documented encoding
 * of every field of the entry including id and prev
 * (store_audit_hash(); docs/DISCLOSURE.md, "The audit log"). Changing any
 * byte of an entry, deleting, inserting or reordering entries breaks the
 * chain at the first entry affected, and store_audit_verify() says
 * which. Triggers refuse UPDATE and DELETE, so the log cannot be changed
 * by accident; someone with write access to the file can drop them and
 * rewrite the whole chain, which only an anchor kept elsewhere (an
 * entry's id and hash the DPO noted, checked with verify) or the signed
 * feed the entries name (node/release.c cross-checks it) can reveal.
 *
 * Nothing personal goes in: codes, counts, parameters, document hashes,
 * node ids. The one free text is a correction's justification, written by
 * the operator, which stays on the node (it is never in a document).
 */
#ifndef LS_STORE_AUDIT_H
#define LS_STORE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/member.h"
#include "core/summary.h"
#include "store/store.h"

enum store_audit_kind {
	STORE_AUDIT_RELEASE = 1,    /* first release of a period's summary */
	STORE_AUDIT_CORRECTION = 2, /* a summary superseding an earlier one */
	STORE_AUDIT_SENT = 3,       /* a document sent to a peer */
};

/* Released cells by reason, as in the disclosure report. */
enum store_audit_cells {
	STORE_CELLS_RELEASED = 0,
	STORE_CELLS_PRIMARY,
	STORE_CELLS_ZERO_HIDDEN,
	STORE_CELLS_COMPLEMENTARY,
	STORE_CELLS_NOISY,
	STORE_CELLS_WITHHELD,
	STORE_CELLS_COUNT_
};

#define STORE_AUDIT_ACTOR_MAX 64
#define STORE_AUDIT_NOTE_MAX 1000 /* = LS_JUSTIFICATION_MAX */
#define STORE_AUDIT_SECRET_ID_BYTES 8

struct store_audit_entry {
	uint64_t id; /* position in the log, 1.. (set by append) */
	int64_t at;  /* Unix time */
	uint8_t kind;
	char actor[STORE_AUDIT_ACTOR_MAX + 1]; /* a user name, "signaald" */
	/* the document */
	char origin[LS_NODE_ID_SIZE];
	uint64_t seq;
	uint8_t doc_hash[LS_HASH_BYTES];
	/* release and correction (zero for sent) */
	struct ls_period period; /* all zero: none */
	struct ls_disclosure_params params;
	uint64_t supersedes;
	char reason[LS_CODE_SIZE];
	uint64_t cost_milli;  /* privacy budget this release spent */
	uint64_t spent_milli; /* the budget year's spending after it */
	uint64_t budget_milli;
	uint32_t cells[STORE_CELLS_COUNT_];
	uint8_t has_secret_id; /* noise mode: which noise secret */
	uint8_t secret_id[STORE_AUDIT_SECRET_ID_BYTES];
	char note[STORE_AUDIT_NOTE_MAX + 1]; /* correction: justification */
	/* sent */
	char peer[LS_NODE_ID_SIZE];
	/* the chain (set by append) */
	uint8_t prev[LS_HASH_BYTES];
	uint8_t hash[LS_HASH_BYTES];
};

/* The chain rule: BLAKE2b-256 of the entry's encoding (every field but
 * hash itself). */
void store_audit_hash(const struct store_audit_entry *x,
                      uint8_t out[LS_HASH_BYTES]);

/*
 * Append an entry after the current head: sets x->id, x->prev and x->hash.
 * Joins the caller's transaction (a release appends in the transaction
 * that publishes), else commits. Checks: kind; actor 1..64 bytes of text;
 * origin a node id; seq >= 1; release and correction: a valid period,
 * parameters and, for a correction only, supersedes >= 1, a reason code
 * and a justification of 1..STORE_AUDIT_NOTE_MAX bytes of text; sent: a
 * peer node id. LS_EINVAL (Dutch details in *e); LS_EEXISTS for a second
 * "sent" entry of the same document and peer (once is enough).
 */
int store_audit_append(struct store *s, struct store_audit_entry *x,
                       struct ls_errinfo *e);

/* Entries with id >= from_id in id order. The entry is valid during the
 * call; a non-zero return stops the walk and is returned. */
typedef int (*store_audit_cb)(void *arg, const struct store_audit_entry *x);
int store_audit_list(struct store *s, uint64_t from_id, store_audit_cb cb,
                     void *arg);

/* The release or correction entry of the document (origin, seq), into
 * *out. LS_ENOTFOUND. */
int store_audit_find(struct store *s, const char *origin, uint64_t seq,
                     struct store_audit_entry *out);

/* The outcome of a verification. */
struct store_audit_verdict {
	int ok;           /* 1: the chain is intact */
	uint64_t entries; /* entries read */
	uint64_t head_id; /* the last entry (0: empty log) */
	uint8_t head_hash[LS_HASH_BYTES];
	uint64_t bad_id; /* the first entry at fault */
	char what[256];  /* Dutch: what is wrong there */
};

/*
 * Recompute the chain from the first entry: ids 1, 2, 3, ... without
 * gaps, each prev the hash of the entry before, each hash the hash of its
 * content; and the triggers that make the log append-only in place. With
 * anchor_id > 0, the entry anchor_id must also exist and have the hash
 * anchor_hash (an anchor the DPO noted earlier: a log rewritten since, or
 * cut back before it, is caught). Returns LS_OK when the check ran (the
 * verdict is in *v), a store error when it could not.
 */
int store_audit_verify(struct store *s, uint64_t anchor_id,
                       const uint8_t anchor_hash[LS_HASH_BYTES],
                       struct store_audit_verdict *v);

/* Dutch name of a kind ("vrijgave", "correctie", "verzonden"). */
const char *store_audit_kind_name(int kind);

#endif
