/*
 * signaalctl status: how this node is doing, in a terminal — what an
 * operator would otherwise piece together from /metrics, /readyz and the
 * logs. Two sources, both read-only:
 *
 *   - the store: signals, documents, the latest summary and status of
 *     every origin, forks (true whether or not signaald runs);
 *   - DIR/signaald.json ([daemon] status_file), which signaald rewrites
 *     every state_interval_s: whether it runs (its pid is alive and the
 *     file is fresh), uptime, peers and their last good round, the lag
 *     per origin.
 *
 * At the association (role koepel), or with --federatie, a table of
 * every node follows (node/fedview.h, the view /api/v1/federation
 * serves): every roster member and every origin held, with its version
 * and last sign of life (its latest status document), its latest
 * summary, the lag and its forks. --format json gives the same
 * as one JSON object (keys as in the API: Dutch).
 */
#include "common/alloc.h"
#include "common/err.h"
#include "core/member.h"
#include "core/period.h"
#include "node/fedview.h"
#include "node/trust.h"
#include "proto/doc.h"
#include "proto/limits.h"
#include "store/feed.h"
#include "store/signal.h"
#include "store/store.h"
#include "tools/signaalctl/commands.h"

#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char help[] =
    "Gebruik: signaalctl status [--federatie] [--format tekst|json]\n"
    "\n"
    "De toestand van dit knooppunt: draait signaald (en sinds wanneer),\n"
    "de databank (grootte, signalen, documenten), de laatste vrijgegeven\n"
    "samenvatting, de peers en hun laatste geslaagde synchronisatie, de\n"
    "achterstand per herkomst en onopgeloste forks. Bij de koepel (of met\n"
    "--federatie) volgt een tabel met elk knooppunt van de federatie:\n"
    "versie, laatst gezien, laatste vrijgave, achterstand, forks.\n"
    "\n"
    "signaald schrijft zijn toestand in signaald.json ([daemon]\n"
    "status_file); zonder dat bestand toont status wat de databank weet.\n"
    "\n"
    "  --federatie     ook de tabel van de federatie (standaard bij de "
    "koepel)\n"
    "  --format F      tekst (standaard) of json\n"
    "\n"
    "Afsluitcodes: 0 gelukt, 1 fout, 2 verkeerd gebruik.\n";

/* One node of the federation table. */
struct fed_row {
	char id[LS_NODE_ID_SIZE];
	char name[LS_NAME_MAX + 1];
	int role;   /* 0: not in the roster */
	int member; /* in the roster in force */
	char version[LS_SOFTWARE_MAX + 1];
	int64_t seen; /* created of its latest status document; 0 none */
	char last_period[LS_PERIOD_SIZE];
	int64_t last_release; /* created of its latest summary; 0 none */
	uint64_t held;        /* highest seq held */
	long long lag;        /* documents behind (-1: unknown) */
	unsigned forks;       /* unresolved */
};

struct status {
	struct ctl_node node;
	json_t *daemon; /* signaald.json or NULL */
	int running;
	const char *why_not; /* when not running */
	struct fed_row *rows;
	size_t n_rows;
	int64_t now;
};

static struct fed_row *row_get(struct status *st, const char *id)
{
	static struct fed_row sink; /* the federation's own feed */
	struct fed_row *grown;
	if (strcmp(id, st->node.config.federation_id) == 0) {
		memset(&sink, 0, sizeof sink);
		return &sink;
	}
	for (size_t i = 0; i < st->n_rows; i++)
		if (strcmp(st->rows[i].id, id) == 0)
			return &st->rows[i];
	grown = ls_realloc(st->rows, (st->n_rows + 1) * sizeof *grown);
	if (grown == NULL)
		return NULL;
	st->rows = grown;
	grown = &st->rows[st->n_rows++];
	memset(grown, 0, sizeof *grown);
	snprintf(grown->id, sizeof grown->id, "%s", id);
	grown->lag = -1;
	return grown;
}

static int row_cmp(const void *a, const void *b)
{
	const struct fed_row *x = a, *y = b;
	if (x->role != y->role) /* the association first */
		return y->role - x->role;
	return strcmp(x->id, y->id);
}

/* signaald.json: read it and decide whether signaald runs. */
static void read_daemon(const struct ctl_context *ctx, struct status *st)
{
	char path[4096];
	json_error_t err;
	json_int_t pid, updated, interval;

	st->why_not = "geen statusbestand (signaald draaide hier nog niet, "
	              "of [daemon] status_file is leeg)";
	if (st->node.config.status_file[0] == '\0' ||
	    ctl_node_path(ctx, st->node.config.status_file, path,
	                  sizeof path) == NULL)
		return;
	st->daemon = json_load_file(path, 0, &err);
	if (st->daemon == NULL)
		return;
	pid = json_integer_value(json_object_get(st->daemon, "pid"));
	updated = json_integer_value(json_object_get(st->daemon, "updated_at"));
	interval =
	    json_integer_value(json_object_get(st->daemon, "state_interval_s"));
	if (interval <= 0)
		interval = st->node.config.state_interval_s;
	/* A stopped daemon writes the file a last time: its pid is gone
	 * (or reused: then the file grows stale). */
	if (pid <= 0 || kill((pid_t)pid, 0) != 0)
		st->why_not = "gestopt (het proces uit het statusbestand "
		              "bestaat niet meer)";
	else if (st->now - updated > 3 * interval + 5)
		st->why_not = "reageert niet (het statusbestand wordt niet "
		              "meer bijgewerkt)";
	else
		st->running = 1;
}

static void lag_from_daemon(struct status *st)
{
	json_t *origins = json_object_get(st->daemon, "origins"), *o;
	size_t i;
	json_array_foreach(origins, i, o)
	{
		const char *id = json_string_value(json_object_get(o, "feed"));
		struct fed_row *r = id != NULL ? row_get(st, id) : NULL;
		if (r != NULL)
			r->lag = (long long)json_integer_value(
			    json_object_get(o, "lag"));
	}
}

static int collect(const struct ctl_context *ctx, struct status *st)
{
	struct node_trust trust;
	struct node_fedview v;
	struct ls_errinfo e;
	int have_trust = 0, rc;

	read_daemon(ctx, st);
	if (st->node.config.federation_id[0] != '\0' &&
	    ctl_trust_load(ctx, &st->node, &trust) == CTL_EXIT_OK)
		have_trust = 1;
	ls_errinfo_clear(&e);
	rc = node_fedview_load(st->node.store, have_trust ? &trust : NULL, &v,
	                       &e);
	for (size_t i = 0; rc == LS_OK && i < v.n; i++) {
		const struct node_fedview_node *n = &v.nodes[i];
		struct fed_row *r = row_get(st, n->id);
		if (r == NULL) {
			rc = ls_errf(&e, LS_ENOMEM, "onvoldoende geheugen");
			break;
		}
		snprintf(r->name, sizeof r->name, "%s",
		         n->name != NULL ? n->name : "");
		r->role = n->role;
		r->member = n->member && n->left == 0;
		if (n->status.hdr.seq != 0)
			snprintf(r->version, sizeof r->version, "%s",
			         n->status.body.status.software);
		r->seen = n->seen;
		r->last_release = n->release_created;
		snprintf(r->last_period, sizeof r->last_period, "%s",
		         n->release_period);
		r->held = n->seq;
		r->forks = n->forks;
	}
	node_fedview_fini(&v);
	if (have_trust)
		node_trust_fini(&trust);
	if (rc != LS_OK) {
		ctl_error("kan de toestand niet uit de databank lezen: %s",
		          e.msg);
		return ctl_exit_for(rc);
	}
	if (st->daemon != NULL)
		lag_from_daemon(st);
	if (st->n_rows > 1) /* qsort(NULL, 0) is undefined */
		qsort(st->rows, st->n_rows, sizeof *st->rows, row_cmp);
	return CTL_EXIT_OK;
}

static const struct fed_row *own_row(const struct status *st)
{
	for (size_t i = 0; i < st->n_rows; i++)
		if (strcmp(st->rows[i].id, st->node.config.node_id) == 0)
			return &st->rows[i];
	return NULL;
}

static long long store_bytes(const struct ctl_context *ctx,
                             const struct ls_config *c)
{
	char path[4096 + 8];
	struct stat sb;
	long long total = 0;
	if (ctl_node_path(ctx, c->store_path, path, 4096) == NULL)
		return 0;
	if (stat(path, &sb) == 0)
		total += sb.st_size;
	strcat(path, "-wal");
	if (stat(path, &sb) == 0)
		total += sb.st_size;
	return total;
}

/* "3 min geleden", "2 u geleden", "5 d geleden". */
static const char *ago(int64_t now, int64_t t, char *buf, size_t size)
{
	int64_t s = now - t;
	if (t == 0)
		snprintf(buf, size, "nooit");
	else if (s < 0)
		snprintf(buf, size, "in de toekomst");
	else if (s < 120)
		snprintf(buf, size, "%lld s geleden", (long long)s);
	else if (s < 7200)
		snprintf(buf, size, "%lld min geleden", (long long)s / 60);
	else if (s < 172800)
		snprintf(buf, size, "%lld u geleden", (long long)s / 3600);
	else
		snprintf(buf, size, "%lld d geleden", (long long)s / 86400);
	return buf;
}

static const char *duration(int64_t s, char *buf, size_t size)
{
	if (s >= 86400)
		snprintf(buf, size, "%lld d %lld u", (long long)s / 86400,
		         (long long)(s % 86400) / 3600);
	else if (s >= 3600)
		snprintf(buf, size, "%lld u %lld min", (long long)s / 3600,
		         (long long)(s % 3600) / 60);
	else
		snprintf(buf, size, "%lld min %lld s", (long long)s / 60,
		         (long long)s % 60);
	return buf;
}

static json_t *jtime(int64_t t)
{
	return t > 0 ? json_integer((json_int_t)t) : json_null();
}

static json_t *to_json(const struct ctl_context *ctx, struct status *st,
                       uint64_t signals, int64_t last_capture, int fed)
{
	const struct ls_config *c = &st->node.config;
	const struct fed_row *own = own_row(st);
	json_t *root, *d, *peers = json_array(), *rows = json_array(), *p;
	size_t i;

	d = json_pack("{s:b}", "actief", st->running);
	if (!st->running)
		json_object_set_new(d, "reden", json_string(st->why_not));
	if (st->daemon != NULL) {
		static const char *const keep[] = {
		    "pid",      "software", "started_at", "updated_at",
		    "uptime_s", "http",     "listen",     "sync_engine"};
		for (i = 0; i < sizeof keep / sizeof keep[0]; i++) {
			json_t *v = json_object_get(st->daemon, keep[i]);
			if (v != NULL)
				json_object_set(d, keep[i], v);
		}
		json_array_foreach(json_object_get(st->daemon, "peers"), i, p)
		    json_array_append(peers, p);
	}
	root = json_pack(
	    "{s:s, s:s, s:s, s:s, s:o, s:{s:I, s:I, s:o, s:I, s:I},"
	    " s:{s:s?, s:o}, s:o}",
	    "knooppunt", c->node_id, "naam", c->node_name, "rol",
	    ls_role_name(c->role), "federatie", c->federation_id, "signaald", d,
	    "databank", "bytes", (json_int_t)store_bytes(ctx, c), "signalen",
	    (json_int_t)signals, "laatste_invoer", jtime(last_capture),
	    "documenten_eigen", (json_int_t)(own ? own->held : 0), "forks",
	    (json_int_t)0, "laatste_vrijgave", "periode",
	    own && own->last_period[0] ? own->last_period : NULL, "tijd",
	    jtime(own ? own->last_release : 0), "peers", peers);
	if (root == NULL)
		return NULL;
	{
		unsigned forks = 0;
		for (i = 0; i < st->n_rows; i++)
			forks += st->rows[i].forks;
		json_object_set_new(json_object_get(root, "databank"), "forks",
		                    json_integer(forks));
	}
	if (st->daemon != NULL) {
		/* Trust alarms and remembered refusals, as signaald has them
		 * (PROTOCOL.md 6 "Alarms", 7 "Refused documents"). */
		json_t *v = json_object_get(st->daemon, "alarms");
		json_object_set(root, "alarmen", v ? v : json_null());
		v = json_object_get(st->daemon, "refusals");
		json_object_set(root, "geweigerd", v ? v : json_null());
		v = json_object_get(st->daemon, "secagg");
		json_object_set(root, "aggregatie", v ? v : json_null());
	}
	if (!fed) {
		json_decref(rows);
		return root;
	}
	for (i = 0; i < st->n_rows; i++) {
		const struct fed_row *r = &st->rows[i];
		json_array_append_new(
		    rows,
		    json_pack(
		        "{s:s, s:s, s:s, s:b, s:s?, s:o, s:s?, s:o, s:I,"
		        " s:o, s:i}",
		        "knooppunt", r->id, "naam", r->name, "rol",
		        r->role ? ls_role_name(r->role) : "", "lid", r->member,
		        "versie", r->version[0] ? r->version : NULL,
		        "laatst_gezien", jtime(r->seen), "laatste_periode",
		        r->last_period[0] ? r->last_period : NULL,
		        "laatste_vrijgave", jtime(r->last_release),
		        "documenten", (json_int_t)r->held, "achterstand",
		        r->lag >= 0 ? json_integer(r->lag) : json_null(),
		        "forks", (int)r->forks));
	}
	json_object_set_new(root, "knooppunten", rows);
	return root;
}

static const char *alarm_text(const char *reason)
{
	if (strcmp(reason, "revoked") == 0)
		return "ondertekend met een ingetrokken sleutel of na het "
		       "vertrek van het lid";
	if (strcmp(reason, "successor") == 0)
		return "federatiedocument dat de regels van de ledenlijst of "
		       "het beleid breekt";
	if (strcmp(reason, "fork") == 0)
		return "twee documenten op dezelfde plaats in de feed (fork)";
	return reason;
}

/* The node's own key against the roster (PROTOCOL.md 6, "Rotation"):
 * one line while a rotation's overlap runs or when signaald may not
 * sign, with what to do (signaald's Dutch message). */
static void print_own_key(const struct status *st)
{
	json_t *o;
	const char *msg;
	if (st->daemon == NULL ||
	    (o = json_object_get(st->daemon, "own_key")) == NULL)
		return;
	msg = json_string_value(json_object_get(o, "message"));
	if (msg == NULL || msg[0] == '\0')
		return;
	printf("Sleutel       %s%s\n",
	       json_is_true(json_object_get(o, "valid")) ? "" : "FOUT: ", msg);
}

/* One line per trust alarm and per remembered refusal, with what to do. */
static void print_alarms(const struct status *st)
{
	json_t *a, *x;
	size_t i;
	if (st->daemon == NULL)
		return;
	json_array_foreach(json_object_get(st->daemon, "alarms"), i, a)
	{
		printf("Alarm         %s: %s (seq %lld, %lld keer geweigerd); "
		       "controleer met 'signaalctl federation show' en meld "
		       "het aan de koepel\n",
		       json_string_value(json_object_get(a, "origin")),
		       alarm_text(json_string_value(
		           json_object_get(a, "reason"))),
		       (long long)json_integer_value(json_object_get(a, "seq")),
		       (long long)json_integer_value(
		           json_object_get(a, "count")));
	}
	json_array_foreach(json_object_get(st->daemon, "refusals"), i, x)
	{
		const char *dir =
		    json_string_value(json_object_get(x, "direction"));
		int push = dir != NULL && strcmp(dir, "push") == 0;
		printf("Geweigerd     %s #%lld %s %s (%s): niet opnieuw "
		       "geprobeerd tot de federatie verandert of na een uur. "
		       "Wat te doen: %s\n",
		       json_string_value(json_object_get(x, "origin")),
		       (long long)json_integer_value(json_object_get(x, "seq")),
		       push ? "door peer" : "van peer",
		       json_string_value(json_object_get(x, "peer")),
		       json_string_value(json_object_get(x, "reason")),
		       json_string_value(json_object_get(x, "advice")));
	}
}

/* What an operator does about uncounted summaries: for another node's,
 * nothing; for its own, correct the periods of which nothing counts
 * (signaald.json names them; none: each is counted through a
 * correction already). */
static void print_uncounted_advice(json_t *u)
{
	json_t *periods = json_object_get(u, "periods"), *p;
	size_t i, n = json_array_size(periods);

	if (!json_is_true(json_object_get(u, "own"))) {
		printf("niets hier; die gemeente kan de periodes opnieuw "
		       "vrijgeven onder het huidige beleid\n");
		return;
	}
	if (!json_is_array(periods)) { /* a signaald from before the list */
		printf("geef die periodes opnieuw vrij onder het huidige "
		       "beleid: 'signaalctl summary list' toont ze, "
		       "'signaalctl summary correct PERIODE --reden beleid "
		       "--toelichting TEKST' vervangt ze\n");
		return;
	}
	if (n == 0) {
		printf("niets meer: elke periode telt via een correctie\n");
		return;
	}
	printf("geef %s opnieuw vrij onder het huidige beleid:",
	       n == 1 ? "deze periode" : "deze periodes");
	json_array_foreach(periods, i, p)
	    printf(" 'signaalctl summary correct %s --reden beleid "
	           "--toelichting TEKST'%s",
	           json_string_value(p), i + 1 < n ? "," : "");
	printf("\n");
}

/* Summaries held but counted nowhere (PROTOCOL.md 5.3, "Epochs"): made
 * under an earlier policy than the one of their time, so every node
 * keeps and relays them and none counts them. */
static void print_uncounted(const struct status *st)
{
	json_t *u;
	size_t i;
	if (st->daemon == NULL)
		return;
	json_array_foreach(json_object_get(st->daemon, "uncounted"), i, u)
	{
		long long docs =
		    (long long)json_integer_value(json_object_get(u, "docs"));
		printf("Niet geteld   %s: %lld samenvatting%s (laatste #%lld) "
		       "gemaakt onder een eerder beleid dan dat van hun tijd "
		       "(federatie #%lld); bewaard en doorgegeven, nergens "
		       "meegeteld. Wat te doen: ",
		       json_string_value(json_object_get(u, "origin")), docs,
		       docs == 1 ? "" : "en",
		       (long long)json_integer_value(
		           json_object_get(u, "last_seq")),
		       (long long)json_integer_value(
		           json_object_get(u, "policy_seq")));
		print_uncounted_advice(u);
	}
}

/* Secure aggregation as signaald has it (docs/SECAGG.md): the round in
 * progress and the last round of each period. */
static void print_secagg(const struct status *st)
{
	json_t *sa = st->daemon ? json_object_get(st->daemon, "secagg") : NULL;
	json_t *r;
	size_t i;
	const char *now;

	if (!json_is_object(sa))
		return;
	if (!json_is_true(json_object_get(sa, "enabled"))) {
		printf("Aggregatie    uit ([secagg] enabled)\n");
		return;
	}
	if (!json_is_true(json_object_get(sa, "aggregator"))) {
		printf("Aggregatie    aan: %lld verzoeken van de koepel "
		       "beantwoord, %lld geweigerd\n",
		       (long long)json_integer_value(json_object_get(sa, "served")),
		       (long long)json_integer_value(
		           json_object_get(sa, "refused")));
		return;
	}
	now = json_string_value(json_object_get(sa, "current"));
	printf("Aggregatie    aan (koepel): %s\n",
	       now && now[0] ? now : "geen ronde bezig");
	if (json_array_size(json_object_get(sa, "rounds")) == 0)
		return;
	printf("%-9s %-6s %-13s %11s %9s %11s %6s\n", "PERIODE", "POGING",
	       "TOESTAND", "UITGENODIGD", "IN TOTAAL", "UITGEVALLEN", "DOC");
	json_array_foreach(json_object_get(sa, "rounds"), i, r)
	{
		const char *state = json_string_value(json_object_get(r, "state"));
		printf("%-9s %-6lld %-13s %11lld %9lld %11lld %6lld\n",
		       json_string_value(json_object_get(r, "period")),
		       (long long)json_integer_value(json_object_get(r, "attempt")),
		       state == NULL                         ? "?"
		       : strcmp(state, "published") == 0     ? "gepubliceerd"
		       : strcmp(state, "running") == 0       ? "bezig"
		                                             : "opgegeven",
		       (long long)json_integer_value(json_object_get(r, "invited")),
		       (long long)json_integer_value(
		           json_object_get(r, "included")),
		       (long long)json_integer_value(json_object_get(r, "dropped")),
		       (long long)json_integer_value(json_object_get(r, "seq")));
	}
}

/* Whether signaald runs: version, pid, uptime and its listeners. */
static void print_daemon(const struct status *st)
{
	const struct ls_config *c = &st->node.config;
	char t1[32];

	if (st->running) {
		json_int_t up =
		    json_integer_value(json_object_get(st->daemon, "uptime_s"));
		printf(
		    "signaald      actief: versie %s, pid %lld, draait %s\n",
		    json_string_value(json_object_get(st->daemon, "software")),
		    (long long)json_integer_value(
		        json_object_get(st->daemon, "pid")),
		    duration(up, t1, sizeof t1));
		printf("              HTTP %s, synchronisatie %s\n",
		       c->http_listen[0] ? c->http_listen : "uit",
		       c->listen[0] ? c->listen : "alleen uitgaand");
	} else {
		printf("signaald      niet actief: %s\n", st->why_not);
	}
}

/* nng (the sync library) got stuck (signaald.json "sync_engine";
 * daemon/tasks.c): what it means and what to do. Nothing when fine. */
static void print_sync_engine(const struct status *st)
{
	json_t *se =
	    st->daemon ? json_object_get(st->daemon, "sync_engine") : NULL;

	if (!json_is_true(json_object_get(se, "stuck")))
		return;
	if (st->running)
		printf("Sync-motor    VASTGELOPEN: nieuwe synchronisatie lukt "
		       "niet "
		       "meer; signaald herstart zichzelf (afsluitcode 75); "
		       "gebeurt dat niet, herstart dan: systemctl restart "
		       "signaald\n");
	else
		printf(
		    "Sync-motor    VASTGELOPEN bij de laatste run: signaald "
		    "stopte zichzelf (afsluitcode 75) om opnieuw te starten; "
		    "start het opnieuw als systemd dat niet doet: "
		    "systemctl start signaald\n");
}

/* Unresolved forks per node, or "geen". */
static void print_forks(const struct status *st)
{
	unsigned forks = 0;
	size_t i;

	for (i = 0; i < st->n_rows; i++)
		forks += st->rows[i].forks;
	if (forks == 0)
		printf("Forks         geen\n");
	else
		for (i = 0; i < st->n_rows; i++)
			if (st->rows[i].forks > 0)
				printf("Forks         %s: %u onopgelost (in "
				       "quarantaine; zie 'signaalctl fork "
				       "list')\n",
				       st->rows[i].id, st->rows[i].forks);
}

/* The running daemon's peers and how their last sync went. */
static void print_peers(const struct status *st)
{
	char t1[32], t2[32];
	json_t *p;
	size_t i;

	if (st->daemon == NULL ||
	    json_array_size(json_object_get(st->daemon, "peers")) == 0)
		return;
	printf("\n%-16s %-10s %-17s %-16s %s\n", "PEER", "RESULTAAT",
	       "LAATSTE SUCCES", "", "MISLUKT OP RIJ");
	json_array_foreach(json_object_get(st->daemon, "peers"), i, p)
	{
		json_int_t ok =
		    json_integer_value(json_object_get(p, "last_ok"));
		printf("%-16s %-10s %-17s %-16s %lld\n",
		       json_string_value(json_object_get(p, "id")),
		       json_string_value(json_object_get(p, "result")),
		       ok ? ctl_time(ok, t1, sizeof t1) : "nooit",
		       ok ? ago(st->now, ok, t2, sizeof t2) : "",
		       (long long)json_integer_value(
		           json_object_get(p, "failures")));
	}
}

/* --federatie: one line per node of the federation. */
static void print_federation(const struct status *st)
{
	char t2[32], t3[32];

	printf("\nFederatie: %zu knooppunten\n", st->n_rows);
	printf("%-16s %-8s %-8s %-16s %-24s %8s %6s %5s\n", "KNOOPPUNT", "ROL",
	       "VERSIE", "LAATST GEZIEN", "LAATSTE VRIJGAVE", "DOCS", "ACHTER",
	       "FORKS");
	for (size_t i = 0; i < st->n_rows; i++) {
		const struct fed_row *r = &st->rows[i];
		char lag[24], rel[32];
		if (r->lag >= 0)
			snprintf(lag, sizeof lag, "%lld", r->lag);
		else
			snprintf(lag, sizeof lag, "?");
		if (r->last_release)
			snprintf(rel, sizeof rel, "%s (%s)", r->last_period,
			         ago(st->now, r->last_release, t3, sizeof t3));
		else
			snprintf(rel, sizeof rel, "-");
		printf("%-16s %-8s %-8s %-16s %-24s %8llu %6s %5u%s\n", r->id,
		       r->role ? ls_role_name(r->role) : "-",
		       r->version[0] ? r->version : "-",
		       ago(st->now, r->seen, t2, sizeof t2), rel,
		       (unsigned long long)r->held, lag, r->forks,
		       r->role && !r->member ? "  (geen lid meer)"
		       : r->role             ? ""
		                             : "  (niet in de ledenlijst)");
	}
	if (!st->running)
		printf("(achterstand '?': alleen signaald kent ze)\n");
}

static void print_text(const struct ctl_context *ctx, struct status *st,
                       uint64_t signals, int64_t last_capture, int fed)
{
	const struct ls_config *c = &st->node.config;
	const struct fed_row *own = own_row(st);
	char t1[32], t2[32];

	/* The id is often "federatie" itself (ids are lowercase): never
	 * "federatie federatie" (the same rule as web/federatie.js). */
	printf("Knooppunt     %s (%s), %s, %s%s\n", c->node_id, c->node_name,
	       ls_role_name(c->role),
	       !c->federation_id[0]                    ? "geen federatie"
	       : strstr(c->federation_id, "federatie") ? ""
	                                               : "federatie ",
	       c->federation_id);
	print_daemon(st);
	print_sync_engine(st);
	printf("Databank      %.1f MB; %llu signalen (laatste invoer %s)\n",
	       (double)store_bytes(ctx, c) / 1e6, (unsigned long long)signals,
	       last_capture ? ctl_time(last_capture, t1, sizeof t1) : "nooit");
	if (own != NULL && own->last_release != 0)
		printf("Vrijgave      laatste samenvatting %s, %s (%s)\n",
		       own->last_period,
		       ctl_time(own->last_release, t1, sizeof t1),
		       ago(st->now, own->last_release, t2, sizeof t2));
	else if (c->role == LS_ROLE_MUNICIPALITY)
		printf("Vrijgave      nog geen samenvatting vrijgegeven\n");
	print_forks(st);
	print_own_key(st);
	print_alarms(st);
	print_uncounted(st);
	print_secagg(st);
	print_peers(st);
	if (fed)
		print_federation(st);
}

int cmd_status(const struct ctl_context *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"federatie", no_argument, NULL, 'f'},
	    {"format", required_argument, NULL, 'F'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	struct status st;
	int c, rc, json = 0, fed = 0;
	uint64_t signals = 0;
	int64_t last_capture = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			fed = 1;
			break;
		case 'F':
			if (strcmp(optarg, "json") == 0)
				json = 1;
			else if (strcmp(optarg, "tekst") != 0)
				return ctl_usage("status",
				                 "onbekend formaat '%s' (tekst "
				                 "of json)",
				                 optarg);
			break;
		case 'h':
			fputs(help, stdout);
			return CTL_EXIT_OK;
		default:
			return ctl_usage("status", "onbekende optie");
		}
	}
	if (optind != argc)
		return ctl_usage("status", "onverwacht argument '%s'",
		                 argv[optind]);
	memset(&st, 0, sizeof st);
	st.now = (int64_t)time(NULL);
	if ((rc = ctl_node_open_read(ctx, &st.node)) != CTL_EXIT_OK)
		return rc;
	if (st.node.config.role == LS_ROLE_AGGREGATOR)
		fed = 1;
	if ((rc = collect(ctx, &st)) != CTL_EXIT_OK)
		goto out;
	if (store_signal_count(st.node.store, &signals) != LS_OK ||
	    store_signal_last_capture(st.node.store, &last_capture) != LS_OK) {
		ctl_error("kan de signalen niet tellen");
		rc = CTL_EXIT_FAIL;
		goto out;
	}
	if (json) {
		json_t *root = to_json(ctx, &st, signals, last_capture, fed);
		if (root == NULL ||
		    json_dumpf(root, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) !=
		        0) {
			json_decref(root);
			ctl_error("onvoldoende geheugen");
			rc = CTL_EXIT_FAIL;
			goto out;
		}
		putchar('\n');
		json_decref(root);
	} else {
		print_text(ctx, &st, signals, last_capture, fed);
	}
	rc = CTL_EXIT_OK;
out:
	json_decref(st.daemon);
	ls_free(st.rows);
	ctl_node_close(&st.node);
	return rc;
}
