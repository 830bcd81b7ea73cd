/*
 * signaalctl: the admin CLI of a Lokaal Signaal node.
 *
 *   signaalctl [-d DIR] COMMAND [ARGS...]
 *
 * main() strips the global options, finds COMMAND in the table below and
 * hands it argv with argv[0] = COMMAND. Every command prints Dutch text
 * and returns one of the exit codes of ctl.h.
 */
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "tools/signaalctl/commands.h"

struct command {
	const char *name;
	ctl_run_fn run;
	const char *summary;
};

static const struct command commands[] = {
    {.name = "init",
     .run = cmd_init,
     .summary = "maak een nieuw knooppunt (databank, sleutel, configuratie)"},
    {.name = "signal",
     .run = cmd_signal,
     .summary = "signalen registreren, inlezen, bekijken, exporteren, "
                "wissen"},
    {.name = "dossier",
     .run = cmd_dossier,
     .summary = "structurele signalen opvolgen in dossiers"},
    {.name = "stats",
     .run = cmd_stats,
     .summary = "lokale tellingen per thema voor een periode"},
    {.name = "trends",
     .run = cmd_trends,
     .summary = "trends en prioriteiten over de gemeenten heen"},
    {.name = "bundle",
     .run = cmd_bundle,
     .summary = "de signalenbundel als HTML-rapport"},
    {.name = "summary",
     .run = cmd_summary,
     .summary = "geanonimiseerde samenvattingen: voorbeeld, vrijgeven, "
                "corrigeren, bekijken"},
    {.name = "audit",
     .run = cmd_audit,
     .summary = "het auditlog van wat vrijgegeven werd: tonen en "
                "controleren"},
    {.name = "taxonomy",
     .run = cmd_taxonomy,
     .summary = "codes bekijken en lokale subcodes toevoegen"},
    {.name = "purge",
     .run = cmd_purge,
     .summary = "vrije tekst ouder dan de bewaartermijn wissen"},
    {.name = "backup",
     .run = cmd_backup,
     .summary = "een veilige kopie van de databank maken"},
    {.name = "check", .run = cmd_check, .summary = "de databank controleren"},
    {.name = "keygen",
     .run = cmd_keygen,
     .summary = "een knooppuntsleutel of de federatiesleutel maken"},
    {.name = "token",
     .run = cmd_token,
     .summary = "toegangstokens voor de webpagina's en de API"},
    {.name = "federation",
     .run = cmd_federation,
     .summary = "de federatie opzetten: leden, sleutels, beleid, codes"},
    {.name = "fork",
     .run = cmd_fork,
     .summary = "tegenstrijdige documenten (forks) bekijken en oplossen"},
    {.name = "status",
     .run = cmd_status,
     .summary = "de toestand van dit knooppunt (en bij de koepel: van de "
                "federatie)"},
    {.name = "sync",
     .run = cmd_sync,
     .summary = "de stand van de synchronisatie (digest, versievector)"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
	fprintf(out, "Gebruik: signaalctl [-d MAP] OPDRACHT [ARGUMENTEN]\n"
	             "\n"
	             "Beheer van een Lokaal Signaal-knooppunt.\n"
	             "\n"
	             "Opdrachten:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
		        commands[i].summary);
	fprintf(out,
	        "\n"
	        "Algemene opties:\n"
	        "  -d MAP     de knooppuntmap (anders $SIGNAAL_DIR, anders "
	        "de huidige map)\n"
	        "  -h, --help deze hulp; 'signaalctl OPDRACHT --help' voor "
	        "een opdracht\n"
	        "\n"
	        "Afsluitcodes: 0 gelukt, 1 mislukt, 2 verkeerd gebruik, "
	        "3 ongeldige invoer (niets gewijzigd),\n"
	        "4 niet gevonden, 5 bestaat al of nu niet toegelaten.\n");
}

int main(int argc, char **argv)
{
	struct ctl_context ctx;
	const char *env = getenv("SIGNAAL_DIR");
	const char *log = getenv("SIGNAAL_LOG");
	enum ls_log_level level = LS_LOG_ERROR;
	int i = 1;

	/* Logs are for operators debugging; users read the Dutch
	 * messages. SIGNAAL_LOG=info shows them. */
	if (log != NULL && ls_log_level_parse(log, &level) != LS_OK)
		level = LS_LOG_ERROR;
	ls_log_set_level(level);
	/* getopt's own messages are English: every command says in Dutch
	 * which option it refused (ctl_usage_option). */
	opterr = 0;
	ctx.node_dir = env != NULL && env[0] != '\0' ? env : ".";
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-d") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "signaalctl: -d verwacht een "
				                "map\n");
				return CTL_EXIT_USAGE;
			}
			ctx.node_dir = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "-d", 2) == 0) {
			ctx.node_dir = argv[i] + 2;
			i++;
		} else if (strcmp(argv[i], "-h") == 0 ||
		           strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return CTL_EXIT_OK;
		} else {
			fprintf(stderr, "signaalctl: onbekende optie '%s'\n",
			        argv[i]);
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0) {
		usage(stdout);
		return CTL_EXIT_OK;
	}
	for (size_t c = 0; c < N_COMMANDS; c++)
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].run(&ctx, argc - i, argv + i);
	fprintf(stderr,
	        "signaalctl: onbekende opdracht '%s'; zie 'signaalctl "
	        "--help'\n",
	        argv[i]);
	return CTL_EXIT_USAGE;
}
