/*
 * Benchmark: CSV import of synthetic signals through the real import path
 * (store_import_csv: streaming parse, validation, id generation,
 * organisation/reporter lookup, inserts, one transaction), against a
 * baseline measured in the same run: bare SQLite prepared inserts of the
 * same rows into the same schema in one transaction, from rows parsed
 * beforehand (parsing not timed).
 *
 * Each side runs in its own child process, so the import's peak RSS
 * (getrusage of the child) is its own. Targets: ratio >= 0.5, peak RSS
 * < 64 MB whatever the file size.
 *
 * BENCH_QUICK=1: 100,000 rows instead of 1,000,000.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/clock.h"
#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"
#include "core/csv.h"
#include "store/import.h"
#include "store/store.h"
#include "store/taxonomy.h"

struct result {
	double seconds;
	long long rows;
	int ok;
};

static long fd_read(void *ctx, char *buf, size_t cap)
{
	ssize_t n = read(*(int *)ctx, buf, cap);
	return n < 0 ? -1 : (long)n;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long size;
	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)size + 1);
	if (buf && fread(buf, 1, (size_t)size, fp) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	*len = (size_t)size;
	return buf;
}

/* A fresh store with the shipped taxonomy. */
static struct store *fresh_store(const char *path, const char *taxonomy)
{
	struct store_options opt = {.create = 1, .synchronous = LS_SYNC_FULL};
	struct ls_errinfo e;
	struct store *s;
	size_t len;
	char *text = slurp(taxonomy, &len);
	if (text == NULL || store_open(path, &opt, &s, &e) != LS_OK ||
	    store_taxonomy_load_tsv(s, text, len, NULL, NULL, &e) != LS_OK) {
		fprintf(stderr, "bench_import: cannot create store: %s\n",
		        e.msg);
		exit(1);
	}
	free(text);
	return s;
}

static void run_import(const char *db, const char *csv, const char *taxonomy,
                       struct result *r)
{
	struct store *s = fresh_store(db, taxonomy);
	struct store_import_result res;
	int fd = open(csv, O_RDONLY);
	double t0;
	int rc;
	t0 = bench_now_s();
	rc = store_import_csv(s, fd_read, &fd, NULL, &res);
	r->seconds = bench_now_s() - t0;
	r->rows = (long long)res.rows;
	r->ok = rc == LS_OK;
	if (rc != LS_OK)
		fprintf(stderr, "bench_import: import failed: %s\n",
		        res.n_listed ? res.errors[0].msg : "?");
	close(fd);
	store_close(s);
}

/* --- baseline ---------------------------------------------------------- */

struct row {
	unsigned char uid[16];
	char reg[11], obs[11];
	int64_t age, problem, sector, org, reporter, persons, severity;
	uint32_t neighbourhood, description; /* offsets into text; 0: NULL */
	uint8_t n_themes, n_targets;
	int64_t themes[3], targets[8];
};

/* Parse the CSV into rows (not timed), with organisation and reporter
 * ids assigned as the store would, inserted up front. */
static void run_baseline(const char *db, const char *csv, const char *taxonomy,
                         struct result *r)
{
	struct store *s = fresh_store(db, taxonomy);
	const struct ls_taxonomy *tax = store_taxonomy(s);
	struct ls_taxonomy copy;
	struct ls_csv *c;
	struct ls_csv_record rec;
	struct ls_csv_map map;
	struct ls_errinfo e;
	size_t n = 0, cap = 1 << 16, text_len = 1, text_cap = 1 << 24;
	struct row *rows = malloc(cap * sizeof *rows);
	char *text = malloc(text_cap);
	char(*orgs)[LS_ORGANISATION_MAX + 1] = calloc(4096, sizeof *orgs);
	char(*reps)[LS_REPORTER_MAX + 8] = calloc(65536, sizeof *reps);
	size_t n_orgs = 0, n_reps = 0;
	sqlite3 *raw;
	sqlite3_stmt *ins, *th, *tg, *org_ins, *rep_ins;
	int fd = open(csv, O_RDONLY);
	double t0;

	/* keep the taxonomy (ids) after the store is closed */
	ls_taxonomy_init(&copy);
	for (size_t i = 0; i < tax->n; i++)
		ls_taxonomy_add(&copy, &tax->entries[i], NULL);
	for (size_t i = 0; i < copy.n; i++)
		copy.entries[i].id = tax->entries[i].id;
	store_close(s);
	tax = &copy;

	if (ls_csv_open(&c, fd_read, &fd) != LS_OK ||
	    ls_csv_next(c, &rec, &e) != LS_OK ||
	    ls_csv_map_header(&map, &rec, &e) != LS_OK)
		exit(1);
	for (;;) {
		struct ls_signal sig;
		struct row *x;
		size_t k;
		if (ls_csv_next(c, &rec, &e) != LS_OK || rec.n_fields == 0)
			break;
		if (ls_csv_map_row(&map, &rec, tax, &sig, &e) != LS_OK)
			exit(1);
		if (n == cap) {
			cap *= 2;
			rows = realloc(rows, cap * sizeof *rows);
		}
		x = &rows[n++];
		memset(x, 0, sizeof *x);
		randombytes_buf(x->uid, sizeof x->uid);
		ls_date_format(&sig.registered_at, x->reg);
		if (sig.has_observed_on)
			ls_date_format(&sig.observed_on, x->obs);
		x->age = sig.age->id;
		x->problem = sig.problem ? sig.problem->id : 0;
		x->sector = sig.sector->id;
		x->persons = sig.persons;
		x->severity = sig.severity;
		for (k = 0; k < n_orgs; k++)
			if (strlen(orgs[k]) == sig.organisation.len &&
			    memcmp(orgs[k], sig.organisation.ptr,
			           sig.organisation.len) == 0)
				break;
		if (k == n_orgs)
			snprintf(orgs[n_orgs++], sizeof orgs[0], "%.*s",
			         (int)sig.organisation.len,
			         sig.organisation.ptr);
		x->org = (int64_t)k + 1;
		if (sig.reporter.len) {
			char key[LS_REPORTER_MAX + 8];
			snprintf(key, sizeof key, "%lld/%.*s",
			         (long long)x->org, (int)sig.reporter.len,
			         sig.reporter.ptr);
			for (k = 0; k < n_reps; k++)
				if (strcmp(reps[k], key) == 0)
					break;
			if (k == n_reps)
				snprintf(reps[n_reps++], sizeof reps[0], "%s",
				         key);
			x->reporter = (int64_t)k + 1;
		}
		for (int t = 0; t < 2; t++) {
			const struct ls_text *tx =
			    t ? &sig.description : &sig.neighbourhood;
			uint32_t off = 0;
			if (tx->len) {
				if (text_len + tx->len + 1 > text_cap) {
					text_cap *= 2;
					text = realloc(text, text_cap);
				}
				off = (uint32_t)text_len;
				memcpy(text + text_len, tx->ptr, tx->len);
				text_len += tx->len;
				text[text_len++] = '\0';
			}
			if (t)
				x->description = off;
			else
				x->neighbourhood = off;
		}
		x->n_themes = (uint8_t)sig.n_themes;
		for (size_t i = 0; i < sig.n_themes; i++)
			x->themes[i] = sig.themes[i]->id;
		x->n_targets = (uint8_t)sig.n_targets;
		for (size_t i = 0; i < sig.n_targets; i++)
			x->targets[i] = sig.targets[i]->id;
	}
	ls_csv_close(c);
	close(fd);

	if (sqlite3_open(db, &raw) != SQLITE_OK ||
	    sqlite3_exec(raw,
	                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                 "PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;",
	                 NULL, NULL, NULL) != SQLITE_OK)
		exit(1);
	/* organisations and reporters exist before (not timed) */
	sqlite3_exec(raw, "BEGIN", NULL, NULL, NULL);
	sqlite3_prepare_v2(raw,
	                   "INSERT INTO organisation (id, name) VALUES "
	                   "(?, ?)",
	                   -1, &org_ins, NULL);
	for (size_t i = 0; i < n_orgs; i++) {
		sqlite3_bind_int64(org_ins, 1, (int64_t)i + 1);
		sqlite3_bind_text(org_ins, 2, orgs[i], -1, SQLITE_STATIC);
		sqlite3_step(org_ins);
		sqlite3_reset(org_ins);
	}
	sqlite3_prepare_v2(raw,
	                   "INSERT INTO reporter (id, organisation_id, "
	                   "local_id) VALUES (?, ?, ?)",
	                   -1, &rep_ins, NULL);
	for (size_t i = 0; i < n_reps; i++) {
		char *slash = strchr(reps[i], '/');
		sqlite3_bind_int64(rep_ins, 1, (int64_t)i + 1);
		sqlite3_bind_int64(rep_ins, 2, atoll(reps[i]));
		sqlite3_bind_text(rep_ins, 3, slash + 1, -1, SQLITE_STATIC);
		sqlite3_step(rep_ins);
		sqlite3_reset(rep_ins);
	}
	sqlite3_exec(raw, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(org_ins);
	sqlite3_finalize(rep_ins);
	sqlite3_prepare_v2(raw,
	                   "INSERT INTO signal (uid, registered_at, "
	                   "observed_on, age_id, problem_id, sector_id, "
	                   "organisation_id, reporter_id, persons, severity, "
	                   "neighbourhood, description, status, created_at) "
	                   "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,0,?)",
	                   -1, &ins, NULL);
	sqlite3_prepare_v2(raw, "INSERT INTO signal_theme VALUES (?, ?)", -1,
	                   &th, NULL);
	sqlite3_prepare_v2(raw, "INSERT INTO signal_target VALUES (?, ?)", -1,
	                   &tg, NULL);

	t0 = bench_now_s();
	sqlite3_exec(raw, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		const struct row *x = &rows[i];
		int64_t id;
		sqlite3_bind_blob(ins, 1, x->uid, 16, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, x->reg, 10, SQLITE_STATIC);
		if (x->obs[0])
			sqlite3_bind_text(ins, 3, x->obs, 10, SQLITE_STATIC);
		else
			sqlite3_bind_null(ins, 3);
		sqlite3_bind_int64(ins, 4, x->age);
		if (x->problem)
			sqlite3_bind_int64(ins, 5, x->problem);
		else
			sqlite3_bind_null(ins, 5);
		sqlite3_bind_int64(ins, 6, x->sector);
		sqlite3_bind_int64(ins, 7, x->org);
		if (x->reporter)
			sqlite3_bind_int64(ins, 8, x->reporter);
		else
			sqlite3_bind_null(ins, 8);
		sqlite3_bind_int64(ins, 9, x->persons);
		if (x->severity)
			sqlite3_bind_int64(ins, 10, x->severity);
		else
			sqlite3_bind_null(ins, 10);
		if (x->neighbourhood)
			sqlite3_bind_text(ins, 11, text + x->neighbourhood, -1,
			                  SQLITE_STATIC);
		else
			sqlite3_bind_null(ins, 11);
		if (x->description)
			sqlite3_bind_text(ins, 12, text + x->description, -1,
			                  SQLITE_STATIC);
		else
			sqlite3_bind_null(ins, 12);
		sqlite3_bind_int64(ins, 13, 0);
		if (sqlite3_step(ins) != SQLITE_DONE)
			exit(1);
		sqlite3_reset(ins);
		id = sqlite3_last_insert_rowid(raw);
		for (int t = 0; t < x->n_themes; t++) {
			sqlite3_bind_int64(th, 1, id);
			sqlite3_bind_int64(th, 2, x->themes[t]);
			sqlite3_step(th);
			sqlite3_reset(th);
		}
		for (int t = 0; t < x->n_targets; t++) {
			sqlite3_bind_int64(tg, 1, id);
			sqlite3_bind_int64(tg, 2, x->targets[t]);
			sqlite3_step(tg);
			sqlite3_reset(tg);
		}
	}
	r->ok = sqlite3_exec(raw, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
	r->seconds = bench_now_s() - t0;
	r->rows = (long long)n;
	sqlite3_finalize(ins);
	sqlite3_finalize(th);
	sqlite3_finalize(tg);
	sqlite3_close(raw);
	ls_taxonomy_fini(&copy);
	free(rows);
	free(text);
	free(orgs);
	free(reps);
}

/* Run fn in a child; its result through a pipe, its peak RSS (KiB). */
static int in_child(void (*fn)(const char *, const char *, const char *,
                               struct result *),
                    const char *db, const char *csv, const char *taxonomy,
                    struct result *r, long *maxrss_kb)
{
	int p[2];
	pid_t pid;
	struct rusage ru;
	int status;
	if (pipe(p) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		struct result mine = {0};
		close(p[0]);
		fn(db, csv, taxonomy, &mine);
		if (write(p[1], &mine, sizeof mine) != (ssize_t)sizeof mine)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], r, sizeof *r) != (ssize_t)sizeof *r)
		r->ok = 0;
	close(p[0]);
	if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	*maxrss_kb = ru.ru_maxrss;
	return 0;
}

int main(void)
{
	const char *quick = getenv("BENCH_QUICK");
	long rows = quick && strcmp(quick, "1") == 0 ? 100000 : 1000000;
	char exe[4096], dir[] = "/tmp/signaal-bench.XXXXXX", cmd[16384],
	                csv[4200], db1[4200], db2[4200], taxonomy[4200];
	struct result imp = {0}, base = {0};
	long rss_imp = 0, rss_base = 0;
	const char *root = getenv("ROOT");
	struct stat st;
	ssize_t n;
	double ratio;

	ls_log_set_level(LS_LOG_ERROR);
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0 || mkdtemp(dir) == NULL)
		return 1;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0'; /* BUILD/bench */
	*strrchr(exe, '/') = '\0'; /* BUILD */
	snprintf(taxonomy, sizeof taxonomy, "%s/configs/taxonomy.tsv",
	         root ? root : ".");
	snprintf(csv, sizeof csv, "%s/signals.csv", dir);
	snprintf(db1, sizeof db1, "%s/import.db", dir);
	snprintf(db2, sizeof db2, "%s/baseline.db", dir);
	snprintf(cmd, sizeof cmd,
	         "'%s/gen-signals' --seed 3 --rows %ld --months 12 "
	         "--trend thema=mentaal,leeftijd=12-17,vanaf=2025-06,groei=40,"
	         "gemeenten=6 --out '%s' 2>/dev/null",
	         exe, rows, csv);
	if (system(cmd) != 0 || stat(csv, &st) != 0) {
		fprintf(stderr, "bench_import: gen-signals failed\n");
		return 1;
	}
	if (in_child(run_import, db1, csv, taxonomy, &imp, &rss_imp) != 0 ||
	    !imp.ok ||
	    in_child(run_baseline, db2, csv, taxonomy, &base, &rss_base) != 0 ||
	    !base.ok) {
		fprintf(stderr, "bench_import: a run failed\n");
		return 1;
	}
	ratio = (imp.rows / imp.seconds) / (base.rows / base.seconds);
	printf("### Import of %ld synthetic signals (bench_import)\n\n", rows);
	printf("CSV file: %.1f MB from `gen-signals --rows %ld` (ten pilots, "
	       "12 months); synchronous=FULL, WAL, one transaction each.\n\n",
	       st.st_size / 1e6, rows);
	printf("| path | rows | seconds | signals/s | peak RSS |\n");
	printf("|---|---:|---:|---:|---:|\n");
	printf("| `signaalctl signal import` path (store_import_csv: parse, "
	       "validate, ids, lookups, insert) | %lld | %.2f | %.0f | %.1f MB "
	       "|\n",
	       imp.rows, imp.seconds, imp.rows / imp.seconds, rss_imp / 1024.0);
	printf("| baseline: bare prepared inserts of the same rows, same "
	       "schema, pre-parsed | %lld | %.2f | %.0f | (rows held in "
	       "memory) |\n\n",
	       base.rows, base.seconds, base.rows / base.seconds);
	printf("Ratio to baseline: **%.2f** (target >= 0.5): %s. Peak RSS of "
	       "the import: **%.1f MB** (target < 64 MB): %s.\n",
	       ratio, ratio >= 0.5 ? "met" : "NOT met", rss_imp / 1024.0,
	       rss_imp < 64 * 1024 ? "met" : "NOT met");
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_import: could not remove %s\n", dir);
	return 0;
}
