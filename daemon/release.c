/*
 * The release of due summaries, from the daemon's side: the release
 * timer (tasks.c) calls daemon_release_due() once the own feed's head is
 * known. What is due, how it is anonymised, recorded in the ledger and
 * the audit log and published belongs to the summary release pipeline
 * (node/release.h): node_release_due() lists the periods that ended plus
 * their settle delay and were not released, and node_release_period()
 * releases each in its own transaction. Only municipalities release; an
 * aggregator has no signals of its own to summarise. A release made by
 * hand (`signaalctl summary release`) is spread as well: the state timer
 * notices another process's writes.
 */
#include "daemon/daemon.h"

#include "common/log.h"

#include <string.h>

#include "core/policy.h"
#include "node/release.h"
#include "node/secret.h"

#include <stdio.h>

/* Periods released per timer run; more wait for the next run (which the
 * timer brings forward), so one run never holds the loop for long. */
#define RELEASE_BATCH 12

int daemon_release_due(struct daemon *d, size_t *released)
{
	struct node_release_env env;
	struct ls_period due[RELEASE_BATCH];
	struct ls_errinfo e;
	char secret[DAEMON_PATH_SIZE];
	size_t n = 0;
	int more = 0, rc;

	*released = 0;
	if (d->cfg.role != LS_ROLE_MUNICIPALITY ||
	    d->cfg.federation_id[0] == '\0')
		return LS_OK;
	if ((size_t)snprintf(secret, sizeof secret, "%s/%s", d->dir,
	                     NODE_NOISE_SECRET_FILE) >= sizeof secret)
		return LS_EINVAL;
	memset(&env, 0, sizeof env);
	env.store = d->store;
	env.trust = &d->trust;
	ls_policy_local_from_config(&d->cfg, &env.local);
	env.origin = d->cfg.node_id;
	env.key = d->kp;
	env.noise_secret_path = secret;
	env.actor = "signaald";
	ls_errinfo_clear(&e);
	rc = node_release_due(&env, daemon_now(), due, RELEASE_BATCH, &n, &more,
	                      &e);
	if (rc != LS_OK) {
		LS_ERROR("release", "due_failed", "reason=%s detail=\"%s\"",
		         ls_errname(rc), e.msg);
		return rc;
	}
	d->release_due = n + (more ? 1 : 0);
	/* Periods are independent: one that cannot be released (it is
	 * logged, and tried again at the next run) does not hold back the
	 * later ones. The first error is returned. */
	rc = LS_OK;
	for (size_t i = 0; i < n; i++) {
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
			if (one == LS_ECORRUPT) /* the check before signing */
				daemon_health_note_check(d, one, e.msg);
			if (rc == LS_OK)
				rc = one;
			continue;
		}
		(*released)++;
		d->release_due--;
		d->sector_conflicts += res.sector_conflicts;
		LS_INFO("release", "released", "period=%s seq=%llu", p,
		        (unsigned long long)res.doc.seq);
	}
	if (more)
		daemon_tasks_release_soon(d);
	return rc;
}
