/*
 * The release of due summaries, from the daemon's side: the release
 * timer (tasks.c) calls daemon_release_due() once the own feed's head is
 * known; what is due and how it is anonymised, recorded in the ledger and
 * the audit log, and published belongs to the summary release pipeline
 * (node/release, another module). This file is the one place where the
 * daemon calls it, so that the pipeline plugs in with one call.
 *
 * Until that pipeline is part of the build, nothing is due here: a node
 * releases with `signaalctl` and the daemon spreads what appears in its
 * feed (the state timer notices another process's writes and kicks the
 * peers).
 */
#include "daemon/daemon.h"

#include "common/log.h"

int daemon_release_due(struct daemon *d, size_t *released)
{
	*released = 0;
	LS_DEBUG("release", "release_check", "node=%s pipeline=absent",
	         d->cfg.node_id);
	return LS_OK;
}
