/*
 * Dossiers in the store: the follow-up of structural signals (phases,
 * criteria, owner, linked signals, actions, feedback) with an
 * append-only history.
 *
 * Every change is one transaction that updates the dossier and appends a
 * history event; the history table refuses UPDATE and DELETE (triggers),
 * so it is a faithful record. History events never name signals (only
 * how many were linked), so erasing a signal leaves nothing of it here.
 *
 * Signal status follows the dossier: linking makes a signal "gekoppeld",
 * entering the feedback phase makes the dossier's signals "afgesloten",
 * leaving it (back to verzamelen) makes them "gekoppeld" again.
 *
 * Texts passed in are copied; texts in callbacks are valid only during
 * the callback.
 */
#ifndef LS_STORE_DOSSIER_H
#define LS_STORE_DOSSIER_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/dossier.h"
#include "core/period.h"
#include "core/signal.h"
#include "core/taxonomy.h"

struct store;

#define STORE_DOSSIER_MAX_THEMES 8

struct store_dossier {
	int64_t id;
	const char *title;
	const char *owner;                       /* "trekker" */
	uint8_t phase;                           /* enum ls_phase */
	unsigned criteria;                       /* LS_CRIT_* bits */
	const struct ls_taxonomy_entry *problem; /* NULL: none */
	size_t n_themes;
	const struct ls_taxonomy_entry *themes[STORE_DOSSIER_MAX_THEMES];
	int64_t created_at, updated_at; /* Unix time */
	uint64_t n_signals;
	uint64_t n_actions;
};

struct store_dossier_event {
	int64_t at;
	const char *kind;         /* nieuw, fase, criteria, koppeling, actie,
	                             feedback */
	int from_phase, to_phase; /* -1 when not a phase change */
	int criteria;             /* -1 when not recorded */
	const char *actor;        /* may be NULL */
	const char *note;         /* may be NULL */
};

struct store_dossier_action {
	int64_t id;
	const char *what, *who;
	const char *due;    /* "YYYY-MM-DD" or NULL */
	const char *result; /* NULL while open */
	int64_t created_at, updated_at;
};

struct store_dossier_feedback {
	int64_t at;
	const char *organisation;
	const char *text;
};

/* What store_dossier_show calls, in this order; any member may be NULL.
 * A non-zero return stops and is returned. */
struct store_dossier_visitor {
	void *ctx;
	int (*dossier)(void *ctx, const struct store_dossier *d);
	int (*signal)(void *ctx, const uint8_t id[LS_SIGNAL_ID_BYTES],
	              const struct ls_date *registered_at,
	              const struct ls_taxonomy_entry *first_theme);
	int (*event)(void *ctx, const struct store_dossier_event *ev);
	int (*action)(void *ctx, const struct store_dossier_action *a);
	int (*feedback)(void *ctx, const struct store_dossier_feedback *f);
};

/* A new dossier in phase opmerken. themes: 1..STORE_DOSSIER_MAX_THEMES
 * codes; problem may be NULL. *id gets its number. LS_EINVAL (Dutch
 * message) for bad texts or codes. */
int store_dossier_new(struct store *s, const char *title, const char *owner,
                      const char *const *themes, size_t n_themes,
                      const char *problem, const char *actor, int64_t *id,
                      struct ls_errinfo *e);

/* Link signals (by id) to a dossier; signals already linked are skipped
 * (*linked counts the new links). All or nothing: an unknown signal is
 * LS_ENOTFOUND and links none. */
int store_dossier_link(struct store *s, int64_t id,
                       const uint8_t (*signals)[LS_SIGNAL_ID_BYTES], size_t n,
                       const char *actor, size_t *linked, struct ls_errinfo *e);

/* Unlink one signal (by id) from a dossier. The signal's status follows
 * the dossiers it stays linked to: "afgesloten" when one of them is in
 * the feedback phase, "gekoppeld" when any is left, else "nieuw". The
 * history records that one signal was unlinked (never which), with the
 * note when given. LS_ENOTFOUND when the signal does not exist or is not
 * linked to the dossier (nothing changes). */
int store_dossier_unlink(struct store *s, int64_t id,
                         const uint8_t signal[LS_SIGNAL_ID_BYTES],
                         const char *actor, const char *note,
                         struct ls_errinfo *e);

/* What became of one signal: per dossier it is linked to (by number),
 * one call with the feedback given to the signal's own organisation in
 * that dossier (oldest first), or one call with feedback_at 0 and
 * feedback NULL when there is none. Feedback to other organisations is
 * never passed. Texts are valid only during the callback. */
struct store_dossier_followup {
	int64_t dossier;
	const char *title;
	uint8_t phase; /* enum ls_phase */
	int64_t feedback_at;
	const char *feedback;
};

int store_dossier_followup(struct store *s,
                           const uint8_t signal[LS_SIGNAL_ID_BYTES],
                           int (*cb)(void *ctx,
                                     const struct store_dossier_followup *f),
                           void *ctx, struct ls_errinfo *e);

/* Move to another phase, as the transition table allows (LS_ESTATE
 * otherwise, naming the allowed phases or the missing criteria). */
int store_dossier_advance(struct store *s, int64_t id, enum ls_phase to,
                          const char *actor, const char *note,
                          struct ls_errinfo *e);

/* Mark criteria as met (set) or not met (clear). Clearing a criterion
 * the current phase depends on is LS_ESTATE. */
int store_dossier_criteria(struct store *s, int64_t id, unsigned set,
                           unsigned clear, const char *actor, const char *note,
                           struct ls_errinfo *e);

/* Record an action (what, who, optional due date "YYYY-MM-DD", optional
 * result). *action_id (may be NULL) gets its number. */
int store_dossier_act(struct store *s, int64_t id, const char *what,
                      const char *who, const char *due, const char *result,
                      const char *actor, int64_t *action_id,
                      struct ls_errinfo *e);

/* Record the result of an existing action of the dossier. */
int store_dossier_action_result(struct store *s, int64_t id, int64_t action_id,
                                const char *result, const char *actor,
                                struct ls_errinfo *e);

/* Record feedback to one organisation (by name), or with organisation
 * NULL to every organisation that reported a linked signal. *n_orgs
 * counts them. LS_ENOTFOUND for an unknown organisation, LS_ESTATE when
 * there is nobody to give feedback to. */
int store_dossier_feedback(struct store *s, int64_t id,
                           const char *organisation, const char *text,
                           const char *actor, size_t *n_orgs,
                           struct ls_errinfo *e);

/* Everything about one dossier, through the visitor. LS_ENOTFOUND. */
int store_dossier_show(struct store *s, int64_t id,
                       const struct store_dossier_visitor *v,
                       struct ls_errinfo *e);

/* Every dossier (phase < 0) or those in one phase, by number. */
int store_dossier_list(struct store *s, int phase,
                       int (*cb)(void *ctx, const struct store_dossier *d),
                       void *ctx, struct ls_errinfo *e);

#endif
