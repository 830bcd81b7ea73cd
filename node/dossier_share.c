/*
 * Share a dossier: read it from the store (store_dossier_show), check that
 * it is recognised as structural, build the note (theme, phase, problem
 * type, headline, derived id), check the headline with Dutch messages,
 * compare with the latest note this node published on the same dossier
 * (publishing the same again would only grow the feed), and publish it
 * through node_feed_publish (one transaction: head, sign, append).
 *
 * The headline check finds the character at fault by asking the protocol's
 * own validator about each character in turn, so the rule lives in one
 * place (proto/doc_note.c) and the message can still point at it.
 */
#include "node/dossier_share.h"
#include "common/alloc.h"
#include "common/log.h"
#include "common/text.h"
#include "core/dossier.h"
#include "core/structural.h"
#include "node/feed.h"
#include "store/dossier.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* A note whose only doubtful field is the headline. */
static int headline_ok(const char *text, size_t len)
{
	struct ls_dossier_note n;
	memset(&n, 0, sizeof n);
	n.dossier[0] = 1;
	strcpy(n.theme, "overig");
	n.phase = LS_PHASE_RAPPORTEREN;
	if (len > LS_HEADLINE_MAX)
		return 0;
	memcpy(n.headline, text, len);
	n.headline[len] = '\0';
	return proto_note_validate(&n, NULL) == LS_OK;
}

int node_headline_check(const char *h, struct ls_errinfo *e)
{
	size_t len = h != NULL ? strlen(h) : 0, i = 0;
	const unsigned char *u = (const unsigned char *)h;

	if (len == 0)
		return ls_errf(e, LS_EINVAL, "de kop is leeg");
	if (len > LS_HEADLINE_MAX)
		return ls_errf(e, LS_EINVAL,
		               "de kop is te lang: %zu bytes, hoogstens %d "
		               "(ongeveer %d letters)",
		               len, LS_HEADLINE_MAX, LS_HEADLINE_MAX);
	if (!ls_utf8_valid(h, len))
		return ls_errf(e, LS_EINVAL, "de kop is geen geldige UTF-8");
	while (i < len) {
		size_t n = u[i] < 0x80             ? 1
		           : (u[i] & 0xe0) == 0xc0 ? 2
		           : (u[i] & 0xf0) == 0xe0 ? 3
		                                   : 4;
		if (u[i] >= '0' && u[i] <= '9')
			return ls_errf(
			    e, LS_EINVAL,
			    "de kop bevat een cijfer ('%c', teken %zu): "
			    "cijfers mogen niet in een kop, zodat er "
			    "geen telefoonnummers, datums, huisnummers "
			    "of rijksregisternummers in kunnen staan; "
			    "schrijf getallen in woorden of laat ze weg",
			    u[i], i + 1);
		if (u[i] == '@')
			return ls_errf(e, LS_EINVAL,
			               "de kop bevat '@' (teken %zu): geen "
			               "e-mailadressen in een kop",
			               i + 1);
		if (u[i] < 0x20 || u[i] == 0x7f)
			return ls_errf(
			    e, LS_EINVAL,
			    "de kop bevat een stuurteken (teken %zu)", i + 1);
		if (!headline_ok(h + i, n))
			return ls_errf(
			    e, LS_EINVAL,
			    "de kop bevat een teken dat niet mag "
			    "('%.*s', teken %zu): alleen letters, "
			    "spaties en de leestekens ! \" & ' ( ) + "
			    ", - . / : ; ? (en typografische "
			    "aanhalingstekens, streepjes en het "
			    "euroteken)",
			    (int)n, h + i, i + 1);
		i += n;
	}
	if (!headline_ok(h, len))
		return ls_errf(
		    e, LS_EINVAL,
		    "de kop voldoet niet aan de regels voor een "
		    "notitie (alleen letters, spaties en leestekens)");
	return LS_OK;
}

/* What the visitor collects from the store. Texts are copied: they are
 * valid only during the callbacks. */
struct dossier_info {
	int found;
	uint8_t phase;
	unsigned criteria;
	int64_t created_at;
	char title[LS_DOSSIER_TITLE_MAX + 1];
	size_t n_themes;
	char themes[STORE_DOSSIER_MAX_THEMES][LS_CODE_SIZE]; /* shared */
	char locals[STORE_DOSSIER_MAX_THEMES][LS_CODE_SIZE]; /* as stored */
	char problem[LS_CODE_SIZE];
	char last_action[LS_DOSSIER_TEXT_MAX + 1];
	int has_action;
};

static int dossier_cb(void *ctx, const struct store_dossier *d)
{
	struct dossier_info *di = ctx;
	di->found = 1;
	di->phase = d->phase;
	di->criteria = d->criteria;
	di->created_at = d->created_at;
	snprintf(di->title, sizeof di->title, "%s", d->title);
	di->n_themes = d->n_themes;
	for (size_t i = 0; i < d->n_themes; i++) {
		snprintf(di->themes[i], LS_CODE_SIZE, "%s",
		         ls_taxonomy_shared_code(d->themes[i]));
		snprintf(di->locals[i], LS_CODE_SIZE, "%s", d->themes[i]->code);
	}
	if (d->problem != NULL)
		snprintf(di->problem, sizeof di->problem, "%s",
		         ls_taxonomy_shared_code(d->problem));
	return 0;
}

static int action_cb(void *ctx, const struct store_dossier_action *a)
{
	struct dossier_info *di = ctx;
	/* listed by number: the last one is the latest */
	snprintf(di->last_action, sizeof di->last_action, "%s", a->what);
	di->has_action = 1;
	return 0;
}

static void derive_id(const char *origin, const struct dossier_info *di,
                      int64_t number, uint8_t out[LS_DOSSIER_ID_BYTES])
{
	static const char label[] = "lokaal-signaal dossier note id v1";
	uint8_t h[32], buf[16];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, (const uint8_t *)label, sizeof label);
	crypto_generichash_update(&st, (const uint8_t *)origin,
	                          strlen(origin) + 1);
	for (int i = 0; i < 8; i++) {
		buf[i] = (uint8_t)((uint64_t)number >> (56 - 8 * i));
		buf[8 + i] =
		    (uint8_t)((uint64_t)di->created_at >> (56 - 8 * i));
	}
	crypto_generichash_update(&st, buf, sizeof buf);
	crypto_generichash_update(&st, (const uint8_t *)di->title,
	                          strlen(di->title));
	crypto_generichash_final(&st, h, sizeof h);
	memcpy(out, h, LS_DOSSIER_ID_BYTES);
	/* "not all zero" (PROTOCOL.md): 2^-128, but a rule is a rule */
	out[0] |= (uint8_t)(out[1] == 0 && out[2] == 0 ? 1 : 0);
}

struct latest_note {
	const uint8_t *dossier;
	struct ls_dossier_note note;
	int have;
	int rc;
	struct ls_errinfo *e;
};

static int own_note_cb(void *arg, const struct store_doc_meta *m,
                       const uint8_t *envelope, size_t len)
{
	struct latest_note *ln = arg;
	struct ls_errinfo why;
	struct ls_doc doc;
	int rc;
	memset(&doc, 0, sizeof doc);
	rc = node_feed_decode(envelope, len, &doc, &why);
	if (rc != LS_OK) {
		proto_doc_fini(&doc);
		return ln->rc =
		           ls_errf(ln->e, rc == LS_ENOMEM ? rc : LS_ECORRUPT,
		                   "eigen notitie nr. %llu is onleesbaar",
		                   (unsigned long long)m->seq);
	}
	if (doc.hdr.type == LS_DOC_DOSSIER_NOTE &&
	    memcmp(doc.body.note.dossier, ln->dossier, LS_DOSSIER_ID_BYTES) ==
	        0) {
		ln->note = doc.body.note; /* listed in seq order */
		ln->have = 1;
	}
	proto_doc_fini(&doc);
	return 0;
}

static int same_note(const struct ls_dossier_note *a,
                     const struct ls_dossier_note *b)
{
	return strcmp(a->theme, b->theme) == 0 && a->phase == b->phase &&
	       strcmp(a->problem_type, b->problem_type) == 0 &&
	       strcmp(a->headline, b->headline) == 0;
}

/* proto/ and node/feed speak English to developers: their message goes to
 * the log, the operator reads what failed in Dutch. */
static int dev_error(struct ls_errinfo *e, int rc, const char *what)
{
	if (e != NULL && e->msg[0] != '\0')
		LS_WARN("dossier", "share_failed", "code=%s detail=\"%.400s\"",
		        ls_errname(rc), e->msg);
	return ls_errf(e, rc, "%s: %s", what, ls_strerror_nl(rc));
}

/* Only a dossier recognised as a structural signal is shared: phase
 * rapporteren or later, and all four criteria met. */
static int share_recognised(const struct dossier_info *di, int64_t dossier,
                            struct ls_errinfo *e)
{
	char missing[64];
	if (ls_structural_recognised(di->phase) && di->criteria == LS_CRIT_ALL)
		return LS_OK;
	ls_criteria_format(LS_CRIT_ALL & ~di->criteria, missing,
	                   sizeof missing);
	return ls_errf(e, LS_ESTATE,
	               "dossier %lld is in fase %s en nog niet erkend "
	               "als structureel signaal: delen kan vanaf fase "
	               "rapporteren, als de vier criteria voldaan zijn "
	               "(duidelijk, neutraal, herkend, gedeeld)%s%s",
	               (long long)dossier,
	               ls_phase_name((enum ls_phase)di->phase),
	               di->criteria != LS_CRIT_ALL ? "; nog niet voldaan: " : "",
	               di->criteria != LS_CRIT_ALL ? missing : "");
}

/* *theme: the dossier's theme req->theme names (by code or local code),
 * or its first when req names none. */
static int share_theme(const struct dossier_info *di,
                       const struct node_share_request *req, int *theme,
                       struct ls_errinfo *e)
{
	char list[STORE_DOSSIER_MAX_THEMES * LS_CODE_SIZE] = "";
	*theme = 0;
	if (req->theme == NULL)
		return LS_OK;
	for (size_t i = 0; i < di->n_themes; i++)
		if (strcmp(req->theme, di->themes[i]) == 0 ||
		    strcmp(req->theme, di->locals[i]) == 0) {
			*theme = (int)i;
			return LS_OK;
		}
	for (size_t i = 0; i < di->n_themes; i++) {
		if (i > 0)
			strcat(list, ", ");
		strcat(list, di->locals[i]);
	}
	return ls_errf(e, LS_EINVAL,
	               "thema '%.40s' hoort niet bij dossier %lld "
	               "(thema's: %s)",
	               req->theme, (long long)req->dossier, list);
}

int node_dossier_share(struct store *s, const struct ls_keypair *kp,
                       const char *origin, const struct node_share_request *req,
                       int64_t now, struct node_share_result *out,
                       struct ls_errinfo *e)
{
	struct store_dossier_visitor v;
	struct dossier_info *di;
	struct latest_note ln;
	struct ls_dossier_note *n = &out->note;
	struct ls_doc doc;
	const char *headline;
	int rc, theme = 0;

	memset(out, 0, sizeof *out);
	di = ls_calloc(1, sizeof *di);
	if (di == NULL)
		return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
	memset(&v, 0, sizeof v);
	v.ctx = di;
	v.dossier = dossier_cb;
	v.action = action_cb;
	rc = store_dossier_show(s, req->dossier, &v, e);
	if (rc != LS_OK)
		goto out;
	if ((rc = share_recognised(di, req->dossier, e)) != LS_OK ||
	    (rc = share_theme(di, req, &theme, e)) != LS_OK)
		goto out;
	if (di->n_themes == 0) {
		rc = ls_errf(e, LS_EINVAL, "dossier %lld heeft geen thema",
		             (long long)req->dossier);
		goto out;
	}
	headline = req->headline;
	if (headline == NULL) {
		if (!di->has_action) {
			rc = ls_errf(
			    e, LS_EINVAL,
			    "dossier %lld heeft nog geen actie: geef de "
			    "kop van wat er gebeurt met --kop",
			    (long long)req->dossier);
			goto out;
		}
		headline = di->last_action;
	}
	if ((rc = node_headline_check(headline, e)) != LS_OK)
		goto out;

	derive_id(origin, di, req->dossier, n->dossier);
	snprintf(n->theme, sizeof n->theme, "%s", di->themes[theme]);
	n->phase = di->phase;
	snprintf(n->problem_type, sizeof n->problem_type, "%s", di->problem);
	/* checked above: at most LS_HEADLINE_MAX bytes */
	memcpy(n->headline, headline, strlen(headline) + 1);
	if ((rc = proto_note_validate(n, e)) != LS_OK) {
		rc = dev_error(e, rc, "de notitie is ongeldig");
		goto out;
	}

	memset(&ln, 0, sizeof ln);
	ln.dossier = n->dossier;
	ln.e = e;
	rc = store_feed_list(s, LS_DOC_DOSSIER_NOTE, origin, own_note_cb, &ln);
	if (ln.rc != LS_OK || rc != LS_OK) {
		rc = ln.rc != LS_OK ? ln.rc
		                    : ls_errf(e, rc, "eigen notities lezen: %s",
		                              ls_strerror_nl(rc));
		goto out;
	}
	if (ln.have && same_note(&ln.note, n)) {
		out->unchanged = 1;
		goto out;
	}
	if (req->dry_run)
		goto out;
	proto_doc_init(&doc, LS_DOC_DOSSIER_NOTE);
	snprintf(doc.hdr.origin, sizeof doc.hdr.origin, "%s", origin);
	doc.body.note = *n;
	rc = node_feed_publish(s, kp, &doc, now, &out->meta, e);
	proto_doc_fini(&doc);
	if (rc == LS_OK)
		out->published = 1;
	else
		rc = dev_error(e, rc,
		               "de notitie is niet in de eigen feed "
		               "gezet");
out:
	ls_free(di);
	return rc;
}
