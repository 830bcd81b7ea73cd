/*
 * The table of document body codecs (internal to proto/): one row per
 * document type, so adding a type is adding a module and a row in doc.c.
 *
 * Contract of a codec:
 *  validate: every rule of the format for a body built in memory; the
 *            decoder runs it too, so encoder and decoder agree.
 *  encode:   writes the body map (after validate succeeded); errors stick
 *            in the writer.
 *  decode:   reads exactly one body map from r into d->body (d->hdr is
 *            already decoded); on failure d->body may be partly filled
 *            and the caller runs fini.
 *  fini:     frees what decode or a caller allocated; safe on zeroes.
 */
#ifndef LS_PROTO_BODY_H
#define LS_PROTO_BODY_H

#include "proto/doc.h"
#include "proto/mp.h"

/* Who may author a type (bits). */
#define PROTO_AUTHOR_FEDERATION 1u
#define PROTO_AUTHOR_MUNICIPALITY 2u
#define PROTO_AUTHOR_AGGREGATOR 4u

struct proto_body_codec {
	uint8_t type;
	const char *name;
	unsigned authors;
	int (*validate)(const struct ls_doc *d, struct ls_errinfo *e);
	void (*encode)(struct mp_writer *w, const struct ls_doc *d);
	int (*decode)(struct mp_reader *r, struct ls_doc *d,
	              struct ls_errinfo *e);
	void (*fini)(struct ls_doc *d);
};

/* Disclosure parameters on the wire, [mode, k, epsilon_milli,
 * withhold_below, persons_cap], shared by policy and summary (doc_policy.c).
 * The reader checks types only; proto_params_validate() the ranges. */
int proto_body_params_read(struct mp_reader *r, struct ls_disclosure_params *p,
                           const char *what, struct ls_errinfo *e);
void proto_body_params_write(struct mp_writer *w,
                             const struct ls_disclosure_params *p);

/* The five tables of a summary on the wire (PROTOCOL.md 5.4: an array of
 * exactly 5 *table*), shared by summary and federation summary
 * (doc_summary.c). The reader checks the shapes, codes and cell kinds'
 * forms and allocates the rows (the caller frees them, also after a
 * failure); the rules on rows and cells are each body's validate. */
void proto_body_tables_write(
    struct mp_writer *w, const struct ls_summary_table tables[LS_TABLE_COUNT_]);
int proto_body_tables_read(struct mp_reader *r,
                           struct ls_summary_table tables[LS_TABLE_COUNT_],
                           struct ls_errinfo *e);

extern const struct proto_body_codec proto_body_roster;
extern const struct proto_body_codec proto_body_taxonomy;
extern const struct proto_body_codec proto_body_policy;
extern const struct proto_body_codec proto_body_summary;
extern const struct proto_body_codec proto_body_status;
extern const struct proto_body_codec proto_body_note;
extern const struct proto_body_codec proto_body_fedsum;

#endif
