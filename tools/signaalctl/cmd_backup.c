/*
 * signaalctl backup FILE and signaalctl check: the store's online backup
 * and its consistency checks (store/backup.h).
 */
#include "common/err.h"
#include "store/backup.h"
#include "store/store.h"
#include "tools/signaalctl/commands.h"

#include <stdio.h>
#include <string.h>

static const char backup_help[] =
    "Gebruik: signaalctl backup BESTAND\n"
    "\n"
    "Maakt een volledige kopie van de databank in BESTAND, veilig terwijl\n"
    "het knooppunt draait (SQLite online back-up). De kopie wordt\n"
    "gecontroleerd en pas op het einde onder haar naam gezet: BESTAND is\n"
    "ofwel volledig, ofwel bestaat het niet. Een bestaand bestand wordt\n"
    "niet overschreven. Terugzetten: stop het knooppunt en kopieer\n"
    "BESTAND naar signaal.db (verwijder signaal.db-wal en -shm).\n"
    "\n"
    "Afsluitcodes: 0 gelukt, 5 BESTAND bestaat al, 1 fout.\n";

int cmd_backup(const struct ctl_context *ctx, int argc, char **argv)
{
	struct ctl_node node;
	struct ls_errinfo e;
	int64_t pages = 0;
	int rc;
	if (ctl_is_help(argc, argv)) {
		fputs(backup_help, stdout);
		return CTL_EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-')
		return ctl_usage("backup", "geef precies één doelbestand");
	/* quick_check first (the copy gets the full integrity_check): a
	 * damaged store is refused with the message that names it, not
	 * copied in vain (the check costs little beside the copy) */
	if ((rc = ctl_node_open(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	ls_errinfo_clear(&e);
	rc = store_backup(node.store, argv[1], &pages, &e);
	ctl_node_close(&node);
	if (rc != LS_OK) {
		ctl_error("%s", ctl_errmsg(rc, &e));
		return ctl_exit_for(rc);
	}
	printf("back-up geschreven naar %s (%lld pagina's)\n", argv[1],
	       (long long)pages);
	return CTL_EXIT_OK;
}

static const char check_help[] =
    "Gebruik: signaalctl check\n"
    "\n"
    "Controleert de databank: de interne structuur (integrity_check), de\n"
    "verwijzingen tussen tabellen (foreign_key_check) en de schemaversie.\n"
    "\n"
    "Afsluitcodes: 0 in orde, 1 niet in orde of niet te controleren.\n";

int cmd_check(const struct ctl_context *ctx, int argc, char **argv)
{
	struct store_check_report r;
	struct ctl_node node;
	struct ls_errinfo e;
	int rc;
	if (ctl_is_help(argc, argv)) {
		fputs(check_help, stdout);
		return CTL_EXIT_OK;
	}
	if (argc != 1)
		return ctl_usage("check", "onverwacht argument '%s'", argv[1]);
	if ((rc = ctl_node_open_read(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	ls_errinfo_clear(&e);
	rc = store_check(node.store, &r, &e);
	ctl_node_close(&node);
	if (rc != LS_OK && rc != LS_ECORRUPT) {
		ctl_error("%s", ctl_errmsg(rc, &e));
		return CTL_EXIT_FAIL;
	}
	printf("schemaversie   %d (deze versie kent %d) %s\n", r.schema_version,
	       r.schema_latest,
	       r.schema_version == r.schema_latest ? "ok" : "FOUT");
	printf("structuur      %s\n", r.integrity_ok ? "ok" : r.integrity);
	if (r.fk_violations == 0)
		printf("verwijzingen   ok\n");
	else
		printf("verwijzingen   %llu fout(en), bv. %s\n",
		       (unsigned long long)r.fk_violations, r.fk_first);
	printf("signalen       %llu\n", (unsigned long long)r.signals);
	printf("dossiers       %llu\n", (unsigned long long)r.dossiers);
	printf("codes          %llu\n", (unsigned long long)r.taxonomy_codes);
	if (rc != LS_OK) {
		ctl_error("%s. Stop signaald, bewaar de knooppuntmap zoals ze "
		          "is en zet de laatste back-up terug (zie 'Restore "
		          "from backup' in de handleiding)",
		          e.msg);
		return CTL_EXIT_FAIL;
	}
	printf("in orde\n");
	return CTL_EXIT_OK;
}
