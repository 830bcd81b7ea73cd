/*
 * The node's own key against the roster it holds (PROTOCOL.md 6,
 * "Rotation"), on the loop.
 *
 * A member's node signs its status documents, releases and federation
 * summaries with keys/node.key. After a rotation the roster closes that
 * key (valid_until); a document signed with it after that is refused by
 * every receiver that holds the roster, permanently, and stops the node's
 * feed there. So before anything is signed the daemon asks the roster it
 * holds (node_feed_key_check); the jobs that sign check again at signing
 * time (node_feed_publish_checked).
 *
 * Every state tick (and before a status document or a release) this
 * file recomputes the own key's standing and, when it changes, says so
 * once: an error (event=own_key_invalid) when the key may not sign now,
 * a warning (event=own_key_closing) while a rotation's overlap runs, an
 * info line when it is fine again. The same reaches the operator as a
 * Dutch line in signaald.json ("own_key", shown by `signaalctl status`)
 * and as the gauges signaal_own_key_valid and
 * signaal_own_key_closes_timestamp_seconds. Nothing is signed while the
 * key is invalid; the timers try again at their next tick.
 *
 * A node that holds no roster yet (before it joined) signs as always.
 */
#include "daemon/daemon.h"

#include "common/log.h"
#include "common/text.h"
#include "node/feed.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* What the status says of a key that closes, in UTC. */
static void utc_text(int64_t t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, size, "%lld", (long long)t);
}

static const char *code_text(int code)
{
	switch (code) {
	case LS_EKEY:
		return "staat niet in het ledenregister als sleutel van dit "
		       "knooppunt";
	case LS_EEXPIRED:
		return "is niet (meer) geldig volgens het ledenregister";
	case LS_EREVOKED:
		return "is ingetrokken (of het lid is vertrokken)";
	default:
		return "mag volgens het ledenregister niet tekenen";
	}
}

/* The Dutch line for the operator (empty when all is well). */
static void message(struct daemon *d, char *out, size_t size)
{
	struct daemon_ownkey *o = &d->ownkey;
	char when[64];

	out[0] = '\0';
	if (o->code != LS_OK) {
		snprintf(out, size,
		         "de sleutel van dit knooppunt (keys/node.key, id %s) "
		         "%s: signaald tekent niets tot de nieuwe sleutel er "
		         "staat. Zet de nieuwe sleutel in keys/node.key en "
		         "herlaad signaald (systemctl reload signaald)",
		         o->key_id, code_text(o->code));
		return;
	}
	if (o->closes != 0) {
		utc_text(o->closes, when, sizeof when);
		snprintf(out, size,
		         "de sleutel van dit knooppunt (keys/node.key, id %s) "
		         "sluit op %s: zet vóór dan de nieuwe sleutel in "
		         "keys/node.key en herlaad signaald (systemctl "
		         "reload signaald)",
		         o->key_id, when);
	}
}

int daemon_ownkey_check(struct daemon *d)
{
	struct daemon_ownkey *o = &d->ownkey;
	int64_t now = daemon_now();
	int code, warn;

	if (d->kp == NULL)
		return LS_EKEY;
	ls_hex_encode(d->kp->key_id, LS_KEY_ID_BYTES, o->key_id);
	node_feed_key_of(node_trust_roster(&d->trust), d->cfg.node_id,
	                 d->kp->key_id, &o->key);
	code = node_feed_key_check(&o->key, now, 0);
	o->code = code;
	o->closes = code == LS_OK ? node_feed_key_closes(&o->key) : 0;
	/* Log each change once, not every tick. */
	warn = code == LS_OK && o->closes != 0;
	if (code != LS_OK && code != o->said) {
		LS_ERROR("ownkey", "own_key_invalid",
		         "node=%s key_id=%s reason=%s action=\"install the new "
		         "key in keys/node.key and reload signaald (SIGHUP); "
		         "nothing is signed until then\"",
		         d->cfg.node_id, o->key_id, ls_errname(code));
	} else if (warn && (o->said != LS_OK || o->closes != o->said_closes)) {
		char when[64];
		utc_text(o->closes, when, sizeof when);
		LS_WARN("ownkey", "own_key_closing",
		        "node=%s key_id=%s closes=%lld closes_utc=\"%s\" "
		        "action=\"install the new key in keys/node.key and "
		        "reload signaald (SIGHUP) before then\"",
		        d->cfg.node_id, o->key_id, (long long)o->closes, when);
	} else if (code == LS_OK && !warn && o->said != LS_OK) {
		LS_INFO("ownkey", "own_key_valid", "node=%s key_id=%s",
		        d->cfg.node_id, o->key_id);
	}
	o->said = code;
	o->said_closes = o->closes;
	if (d->metrics != NULL) {
		daemon_metrics_set(d->metrics, "signaal_own_key_valid",
		                   code == LS_OK);
		daemon_metrics_set(d->metrics,
		                   "signaal_own_key_closes_timestamp_seconds",
		                   (double)o->closes);
	}
	return code;
}

void daemon_ownkey_init(struct daemon *d)
{
	memset(&d->ownkey, 0, sizeof d->ownkey);
	/* A first check that finds the key fine and open says nothing. */
	d->ownkey.said = LS_OK;
}

json_t *daemon_ownkey_json(struct daemon *d)
{
	struct daemon_ownkey *o = &d->ownkey;
	char msg[512];

	message(d, msg, sizeof msg);
	return json_pack("{s:s, s:b, s:b, s:I, s:s, s:s}", "key_id", o->key_id,
	                 "roster", o->key.has_roster, "valid", o->code == LS_OK,
	                 "closes", (json_int_t)o->closes, "reason",
	                 o->code == LS_OK ? "" : ls_errname(o->code), "message",
	                 msg);
}
