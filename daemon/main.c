/*
 * signaald: the federation daemon of a Lokaal Signaal node.
 *
 *   signaald [-d DIR] [--check]
 *
 * Runs in the foreground (systemd supervises it; see
 * configs/signaald.service), logs logfmt lines to stderr, and stops
 * cleanly on SIGTERM or SIGINT; SIGHUP reloads the configuration, the
 * roster and the node key (keys/node.key). Exit codes: 0 stopped cleanly, 1 failed while running or
 * starting, 2 wrong command line, 78 bad configuration (EX_CONFIG: a
 * restart will not help; the unit does not retry it), 65 the store is
 * damaged or empty (EX_DATAERR: restore a backup; not retried either),
 * 70 a stop that did not finish within [daemon] shutdown_timeout_s
 * (EX_SOFTWARE: the log's event=shutdown_stuck names the step;
 * daemon/watchdog.h), 75 signaald stopped itself because nng's reaper
 * got stuck while it ran (EX_TEMPFAIL: event=nng_stuck; the unit
 * restarts it, which brings sync back).
 */
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "common/log.h"
#include "daemon/daemon.h"

#define EXIT_CONFIG 78
#define EXIT_DATAERR 65 /* the store is damaged or empty (EX_DATAERR) */

static const char help[] =
    "Gebruik: signaald [-d MAP] [--check]\n"
    "\n"
    "De federatiedaemon van een Lokaal Signaal-knooppunt: synchroniseert\n"
    "de ondertekende, geanonimiseerde documenten met de andere leden van\n"
    "de federatie, publiceert de status van dit knooppunt en geeft\n"
    "afgesloten periodes vrij.\n"
    "\n"
    "  -d MAP     de knooppuntmap (anders $SIGNAAL_DIR, anders de huidige "
    "map)\n"
    "  --check    lees de configuratie, de databank (met quick_check) en "
    "de\n             sleutels, en stop\n"
    "  --version  toon de versie\n"
    "  -h, --help deze hulp\n"
    "\n"
    "Signalen: SIGTERM/SIGINT stoppen netjes, SIGHUP leest de configuratie,\n"
    "het ledenregister en de sleutel (keys/node.key) opnieuw. Logs (logfmt) gaan naar stderr.\n"
    "Afsluitcodes: 0 netjes gestopt, 1 fout, 2 verkeerd gebruik,\n"
    "65 beschadigde of lege databank (zet een back-up terug),\n"
    "70 stoppen duurde langer dan [daemon] shutdown_timeout_s (het log\n"
    "zegt bij welke stap), 75 gestopt om opnieuw te starten omdat de\n"
    "synchronisatie vastliep (event=nng_stuck), 78 ongeldige configuratie.\n";

static void walk_cb(uv_handle_t *h, void *arg)
{
	(void)arg;
	LS_ERROR("daemon", "handle_left_open", "type=%s",
	         uv_handle_type_name(uv_handle_get_type(h)));
}

int main(int argc, char **argv)
{
	const char *dir = getenv("SIGNAAL_DIR");
	struct daemon d;
	struct ls_errinfo e;
	uv_loop_t loop;
	int check = 0, rc, status = 0;

	if (dir == NULL || dir[0] == '\0')
		dir = ".";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (strcmp(argv[i], "--check") == 0) {
			check = 1;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("signaald %s\n", SIGNAALD_VERSION);
			return 0;
		} else if (strcmp(argv[i], "-h") == 0 ||
		           strcmp(argv[i], "--help") == 0) {
			fputs(help, stdout);
			return 0;
		} else {
			fprintf(stderr, "signaald: onbekend argument '%s'\n%s",
			        argv[i], help);
			return 2;
		}
	}
#ifdef __GLIBC__
	/* nng runs a dozen threads; glibc would give each its own malloc
	 * arena, and keep their freed memory. Nearly all allocation happens
	 * on the loop thread: two arenas keep an idle node small. */
	mallopt(M_ARENA_MAX, 2);
#endif
	/* A peer that goes away mid-write must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0) {
		fprintf(stderr, "signaald: libsodium kan niet starten\n");
		return 1;
	}
	if (uv_loop_init(&loop) != 0) {
		fprintf(stderr, "signaald: libuv kan niet starten\n");
		return 1;
	}
	ls_errinfo_clear(&e);
	rc = daemon_open(&d, &loop, dir, check ? DAEMON_CHECK_ONLY : 0, &e);
	if (rc != LS_OK) {
		fprintf(stderr, "signaald: %s\n",
		        e.msg[0] != '\0' ? e.msg : ls_strerror_nl(rc));
		LS_ERROR("daemon", "start_failed", "dir=%s reason=%s", dir,
		         ls_errname(rc));
		status = rc == LS_ECONFIG    ? EXIT_CONFIG
		         : rc == LS_ECORRUPT ? EXIT_DATAERR
		                             : 1;
	} else {
		if (check) {
			/* Not fatal: signaald serves without it (the pages
			 * then do not offer to keep signals at sign-out). */
			ls_errinfo_clear(&e);
			if (daemon_web_secret_check(dir, &e) != LS_OK)
				fprintf(stderr,
				        "signaald: waarschuwing: %s; signaald "
				        "draait, maar de pagina's bieden bij "
				        "afmelden niet aan signalen te bewaren\n",
				        e.msg);
			printf("signaald: configuratie, databank en sleutels "
			       "in %s zijn in orde\n",
			       dir);
			daemon_stop(&d);
		}
		uv_run(&loop, UV_RUN_DEFAULT);
		/* a stop of signaald's own (DAEMON_EXIT_NNG_STUCK) */
		if (d.exit_status != 0)
			status = d.exit_status;
		daemon_close(&d);
	}
	if (uv_loop_close(&loop) != 0) {
		uv_walk(&loop, walk_cb, NULL);
		status = 1;
	}
	/* nng_fini, then the shutdown watchdog is disarmed: from SIGTERM to
	 * here the stop is bounded by [daemon] shutdown_timeout_s (exit 70
	 * when it hangs). */
	if (daemon_finish(&d)) {
		/* nng's close hung and was left behind (the log says so):
		 * its threads may still call into d, on this stack, so the
		 * process ends here rather than in exit()'s teardown. */
		fflush(NULL);
		_exit(status);
	}
	return status;
}
