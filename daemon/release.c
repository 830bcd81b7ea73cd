/*
 * The release of due summaries, from the daemon's side: the release
 * timer (tasks.c) calls daemon_release_start() once the own feed's head
 * is known. What is due, how it is anonymised, recorded in the ledger and
 * the audit log and published belongs to the summary release pipeline
 * (node/release.h): node_release_due() lists the periods that ended plus
 * their settle delay and were not released, and node_release_period()
 * releases each in its own transaction. Only municipalities release; an
 * aggregator has no signals of its own to summarise. A release made by
 * hand (`signaalctl summary release`) is spread as well: the state timer
 * notices another process's writes.
 *
 * The release runs off the loop, as a job on the store jobs' write lane
 * (daemon/storejob.h) with that lane's connection and a trust loaded from
 * it; the loop only copies in what the job needs (settings, key, paths)
 * and takes the results back in release_done().
 */
#include "daemon/daemon.h"
#include "daemon/storejob.h"

#include "common/alloc.h"
#include "common/log.h"
#include "common/path.h"
#include "core/policy.h"
#include "node/release.h"
#include "node/secret.h"

#include <stdio.h>
#include <string.h>

/* Periods released per run; more wait for the next run (which the timer
 * brings forward), so that one run never holds the write lane for long. */
#define RELEASE_BATCH 12

struct release_job {
	struct storejob job;
	struct daemon *d; /* done only */
	/* in: copied on the loop */
	struct ls_policy_local local;
	char origin[LS_NODE_ID_SIZE];
	char federation[LS_NODE_ID_SIZE];
	int has_anchor;
	uint8_t anchor[LS_PUBKEY_BYTES];
	/* d->kp when the release started: a key reloaded meanwhile
	 * (SIGHUP) signs from the next one; this one stays allocated until
	 * close (d->kp_retired) */
	const struct ls_keypair *key;
	char secret[DAEMON_PATH_SIZE];
	/* out */
	int ran;
	int due_known; /* node_release_due answered */
	size_t due, released;
	int more;
	uint64_t sector_conflicts;
	int corrupt; /* the check before signing failed: */
	char corrupt_msg[sizeof(((struct ls_errinfo *)0)->msg)];
};

/* Write lane. */
static int release_run(struct storejob *job, struct store *s)
{
	struct release_job *r = (struct release_job *)job;
	struct node_release_env env;
	struct node_feed_key own;
	struct node_trust trust;
	struct ls_period due[RELEASE_BATCH];
	struct ls_errinfo e;
	size_t n = 0;
	int rc;

	r->ran = 1;
	node_trust_init(&trust, r->federation,
	                r->has_anchor ? r->anchor : NULL);
	ls_errinfo_clear(&e);
	if ((rc = node_trust_load(&trust, s, daemon_now(), &e)) != LS_OK) {
		LS_ERROR("release", "trust_failed", "reason=%s detail=\"%s\"",
		         ls_errname(rc), e.msg);
		node_trust_fini(&trust);
		return rc;
	}
	/* The key checked against the roster just loaded, at signing. */
	node_feed_key_of(node_trust_roster(&trust), r->origin, r->key->key_id,
	                 &own);
	memset(&env, 0, sizeof env);
	env.store = s;
	env.trust = &trust;
	env.own_key = &own;
	env.local = r->local;
	env.origin = r->origin;
	env.key = r->key;
	env.noise_secret_path = r->secret;
	env.actor = "signaald";
	rc = node_release_due(&env, daemon_now(), due, RELEASE_BATCH, &n,
	                      &r->more, &e);
	if (rc != LS_OK) {
		LS_ERROR("release", "due_failed", "reason=%s detail=\"%s\"",
		         ls_errname(rc), e.msg);
		node_trust_fini(&trust);
		return rc;
	}
	r->due = n + (r->more ? 1 : 0);
	r->due_known = 1;
	/* Periods are independent: one that cannot be released (it is
	 * logged, and tried again at the next run) does not hold back the
	 * later ones. The first error is returned. */
	for (size_t i = 0; i < n && !daemon_storejob_stopping(job); i++) {
		struct node_release_result res;
		char p[LS_PERIOD_SIZE];
		int one;
		ls_period_format(&due[i], p);
		ls_errinfo_clear(&e);
		one =
		    node_release_period(&env, &due[i], daemon_now(), &res, &e);
		if (one != LS_OK) {
			LS_ERROR("release", "release_failed",
			         "period=%s reason=%s detail=\"%s\"", p,
			         ls_errname(one), e.msg);
			if (one == LS_ECORRUPT && !r->corrupt) {
				r->corrupt = 1;
				snprintf(r->corrupt_msg, sizeof r->corrupt_msg,
				         "%s", e.msg);
			}
			if (rc == LS_OK)
				rc = one;
			continue;
		}
		r->released++;
		r->sector_conflicts += res.sector_conflicts;
		LS_INFO("release", "released", "period=%s seq=%llu", p,
		        (unsigned long long)res.doc.seq);
	}
	node_trust_fini(&trust);
	return rc;
}

/* Loop thread. */
static void release_done(struct storejob *job)
{
	struct release_job *r = (struct release_job *)job;
	struct daemon *d = r->d;

	d->release_running = 0;
	if (!r->ran) { /* the lanes closed first */
		ls_free(r);
		return;
	}
	if (job->rc != LS_OK)
		LS_ERROR("tasks", "release_failed", "reason=%s",
		         ls_errname(job->rc));
	if (r->due_known)
		d->release_due = r->due - r->released;
	d->sector_conflicts += r->sector_conflicts;
	if (r->corrupt)
		daemon_health_note_check(d, LS_ECORRUPT, r->corrupt_msg);
	if (r->released > 0) {
		d->releases += r->released;
		daemon_note_own_write(d);
		daemon_new_docs(d, NULL);
	}
	if (r->more)
		daemon_tasks_release_soon(d);
	ls_free(r);
}

int daemon_release_start(struct daemon *d)
{
	struct release_job *r;
	int rc;

	if (d->cfg.role != LS_ROLE_MUNICIPALITY ||
	    d->cfg.federation_id[0] == '\0')
		return LS_OK;
	if (d->release_running)
		return LS_EBUSY; /* the last run is still going */
	/* Nothing is signed with a key the roster held does not allow now
	 * (said once by daemon_ownkey_check; the next run tries again). */
	if ((rc = daemon_ownkey_check(d)) != LS_OK)
		return rc;
	if ((r = ls_calloc(1, sizeof *r)) == NULL)
		return LS_ENOMEM;
	r->d = d;
	if (ls_path_join(d->dir, NODE_NOISE_SECRET_FILE, r->secret,
	                 sizeof r->secret) != LS_OK) {
		ls_free(r);
		return LS_EINVAL;
	}
	ls_policy_local_from_config(&d->cfg, &r->local);
	snprintf(r->origin, sizeof r->origin, "%s", d->cfg.node_id);
	snprintf(r->federation, sizeof r->federation, "%s",
	         d->trust.federation);
	r->has_anchor = d->trust.has_anchor;
	memcpy(r->anchor, d->trust.anchor_pk, sizeof r->anchor);
	r->key = d->kp;
	r->job.run = release_run;
	r->job.done = release_done;
	if ((rc = daemon_storejob_submit(d->jobs, STOREJOB_WRITE, &r->job)) !=
	    LS_OK) {
		ls_free(r);
		return rc;
	}
	d->release_running = 1;
	return LS_OK;
}
