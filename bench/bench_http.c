/*
 * Benchmark: durable signal captures through signaald's HTTP API on
 * loopback (POST /api/v1/signals, answered 201 only after the commit,
 * [store] synchronous = full), with 1, 4 and 16 concurrent keep-alive
 * clients, against a baseline measured in the same run: direct
 * store_signal_insert() calls of the same signals into another node's
 * store, one transaction each, with the same durability. Both report
 * captures per second and p50/p99 latency.
 *
 * The HTTP side is the real program: signaald started as a child
 * process from $BUILD, its node made with $BUILD/signaalctl (init, a
 * field worker's token). Clients are threads speaking HTTP/1.1 over
 * plain sockets (no client library in the measurement).
 *
 * BENCH_QUICK=1: fewer requests per run.
 * BENCH_SYNC=normal: both sides with synchronous = normal (no fsync per
 * commit in WAL mode): what the API costs on top of the store work when
 * the disk costs nothing (a profiling aid; the table is for full).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "core/period.h"
#include "core/signal.h"
#include "store/signal.h"
#include "store/store.h"

static const char body[] =
    "{\"thema\":[\"mentaal\",\"onderwijs\"],\"leeftijd\":\"12-17\","
    "\"doelgroep\":[\"student\"],\"sector\":\"onderwijs\","
    "\"aantal_personen\":3,\"ernst\":2,\"omschrijving\":\"Wachtlijst van "
    "zes maanden bij de jeugd-GGZ (fictief, benchmark)\"}";

static void die(const char *what)
{
	fprintf(stderr, "bench_http: %s\n", what);
	exit(1);
}

static int run(const char *cmd)
{
	int rc = system(cmd);
	return rc == 0 ? 0 : -1;
}

/* --- an HTTP client ------------------------------------------------------ */

static int port;
static char token[256];
static int sync_normal; /* BENCH_SYNC=normal */

static int dial(void)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One request on fd; the status, or -1 on a broken connection. */
static int request(int fd, const char *req, size_t len)
{
	char buf[16384];
	size_t got = 0, need = 0;
	char *hdr_end = NULL;
	int status;
	while (len > 0) {
		ssize_t n = write(fd, req, len);
		if (n <= 0)
			return -1;
		req += n;
		len -= (size_t)n;
	}
	for (;;) {
		ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
		buf[got] = '\0';
		if (hdr_end == NULL && (hdr_end = strstr(buf, "\r\n\r\n"))) {
			char *cl = strstr(buf, "Content-Length: ");
			need = (size_t)(hdr_end + 4 - buf) +
			       (cl ? strtoul(cl + 16, NULL, 10) : 0);
		}
		if (hdr_end != NULL && got >= need)
			break;
		if (got >= sizeof buf - 1)
			return -1;
	}
	if (sscanf(buf, "HTTP/1.1 %d", &status) != 1)
		return -1;
	return status;
}

struct client {
	pthread_t th;
	size_t n;
	double *lat;
	int failed;
};

static char req_text[4096];
static size_t req_len;

static void *client_main(void *arg)
{
	struct client *c = arg;
	int fd = dial();
	if (fd < 0) {
		c->failed = 1;
		return NULL;
	}
	for (size_t i = 0; i < c->n; i++) {
		double t0 = bench_now_s();
		int st = request(fd, req_text, req_len);
		c->lat[i] = bench_now_s() - t0;
		if (st != 201) {
			c->failed = 1;
			break;
		}
	}
	close(fd);
	return NULL;
}

struct result {
	double rate, p50, p99;
	int ok;
};

static void percentiles(double *lat, size_t n, struct result *r)
{
	qsort(lat, n, sizeof *lat, bench_cmp_double);
	r->p50 = lat[n / 2] * 1000;
	r->p99 = lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] * 1000;
}

#define ROUNDS 3

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* ROUNDS runs of the same size: the rate over their summed time, the
 * median of their percentiles. */
static void combine(const struct result *r, struct result *out)
{
	double inv = 0, p50[ROUNDS], p99[ROUNDS];
	out->ok = 1;
	for (int i = 0; i < ROUNDS; i++) {
		inv += r[i].rate > 0 ? 1.0 / r[i].rate : 1e9;
		p50[i] = r[i].p50;
		p99[i] = r[i].p99;
		out->ok &= r[i].ok;
	}
	qsort(p50, ROUNDS, sizeof p50[0], cmp_d);
	qsort(p99, ROUNDS, sizeof p99[0], cmp_d);
	out->rate = ROUNDS / inv;
	out->p50 = p50[ROUNDS / 2];
	out->p99 = p99[ROUNDS / 2];
}

static void http_run(int clients, size_t total, struct result *r)
{
	struct client *cs = calloc((size_t)clients, sizeof *cs);
	double *all = calloc(total, sizeof *all), t0, secs;
	size_t per = total / (size_t)clients, k = 0;
	r->ok = 1;
	t0 = bench_now_s();
	for (int i = 0; i < clients; i++) {
		cs[i].n = per;
		cs[i].lat = all + (size_t)i * per;
		pthread_create(&cs[i].th, NULL, client_main, &cs[i]);
	}
	for (int i = 0; i < clients; i++) {
		pthread_join(cs[i].th, NULL);
		if (cs[i].failed)
			r->ok = 0;
		k += cs[i].n;
	}
	secs = bench_now_s() - t0;
	r->rate = (double)k / secs;
	percentiles(all, k, r);
	free(all);
	free(cs);
}

/* --- the baseline: the store directly ----------------------------------- */

static void direct_run(const char *dir, size_t total, struct result *r)
{
	struct store_options so = {.create = 0, .synchronous = LS_SYNC_FULL};
	struct ls_errinfo e;
	struct store *s;
	char path[4200], today[LS_DATE_SIZE];
	struct ls_date d;
	double *lat = calloc(total, sizeof *lat), t0;
	static const struct {
		enum ls_signal_field f;
		const char *v;
	} fields[] = {
	    {LS_FIELD_THEME, "mentaal|onderwijs"},
	    {LS_FIELD_AGE, "12-17"},
	    {LS_FIELD_TARGET, "student"},
	    {LS_FIELD_SECTOR, "onderwijs"},
	    {LS_FIELD_ORGANISATION, "Bench"},
	    {LS_FIELD_REPORTER, "mw-1"},
	    {LS_FIELD_PERSONS, "3"},
	    {LS_FIELD_SEVERITY, "2"},
	    {LS_FIELD_DESCRIPTION, "Wachtlijst van zes maanden bij de "
	                           "jeugd-GGZ (fictief, benchmark)"},
	};
	if (sync_normal)
		so.synchronous = LS_SYNC_NORMAL;
	snprintf(path, sizeof path, "%s/signaal.db", dir);
	if (store_open(path, &so, &s, &e) != LS_OK)
		die("cannot open the baseline store");
	ls_date_today(&d);
	ls_date_format(&d, today);
	r->ok = 1;
	t0 = bench_now_s();
	for (size_t i = 0; i < total; i++) {
		struct ls_signal sig;
		double t1 = bench_now_s();
		/* What the API does per capture: fields from text, checked,
		 * stored in a transaction of its own. */
		ls_signal_init(&sig);
		if (ls_signal_set_field(&sig, LS_FIELD_REGISTERED_AT, today,
		                        strlen(today), store_taxonomy(s),
		                        &e) != LS_OK)
			r->ok = 0;
		for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
			if (ls_signal_set_field(&sig, fields[f].f, fields[f].v,
			                        strlen(fields[f].v),
			                        store_taxonomy(s), &e) != LS_OK)
				r->ok = 0;
		if (ls_signal_validate(&sig, NULL, &e) != LS_OK ||
		    store_signal_insert(s, &sig, &e) != LS_OK) {
			r->ok = 0;
			break;
		}
		lat[i] = bench_now_s() - t1;
	}
	r->rate = (double)total / (bench_now_s() - t0);
	percentiles(lat, total, r);
	free(lat);
	store_close(s);
}

/* --- setup ---------------------------------------------------------------- */

static pid_t daemon_pid;

static void stop_daemon(void)
{
	int st;
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGTERM);
		waitpid(daemon_pid, &st, 0);
		daemon_pid = 0;
	}
}

static void make_node(const char *build, const char *dir, const char *id,
                      int http_port)
{
	char cmd[8192], tpl[4200];
	FILE *fp;
	snprintf(tpl, sizeof tpl, "%s.ini", dir);
	if ((fp = fopen(tpl, "w")) == NULL)
		die("cannot write a config");
	fprintf(fp,
	        "[node]\nid = %s\nname = Bench\n[store]\nsynchronous = "
	        "%s\n[daemon]\nlog_level = warn\n[http]\nlisten = "
	        "127.0.0.1:%d\nweb_dir =\n",
	        id, sync_normal ? "normal" : "full", http_port);
	fclose(fp);
	snprintf(cmd, sizeof cmd,
	         "'%s/signaalctl' init --config '%s' '%s' "
	         ">/dev/null",
	         build, tpl, dir);
	if (run(cmd) != 0)
		die("signaalctl init failed");
}

int main(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	int quick =
	    getenv("BENCH_QUICK") && strcmp(getenv("BENCH_QUICK"), "1") == 0;
	size_t total = quick ? 900 : 4500;
	char tmp[] = "/tmp/bench_http.XXXXXX", a[256], b[256], cmd[8192];
	char absbuild[4096];
	static const int clients[] = {1, 4, 16};
	struct result http[3], direct, http_r[3][ROUNDS], direct_r[ROUNDS];
	FILE *fp;

	sync_normal =
	    getenv("BENCH_SYNC") && strcmp(getenv("BENCH_SYNC"), "normal") == 0;
	if (sodium_init() < 0 || mkdtemp(tmp) == NULL)
		die("setup");
	if (realpath(build, absbuild) == NULL)
		die("no $BUILD");
	ls_log_set_level(LS_LOG_ERROR);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	port = 20000 + rand() % 12000; /* below the ephemeral ports */
	snprintf(a, sizeof a, "%s/http", tmp);
	snprintf(b, sizeof b, "%s/direct", tmp);
	make_node(absbuild, a, "bench-http", port);
	make_node(absbuild, b, "bench-direct", port + 1);
	snprintf(cmd, sizeof cmd,
	         "'%s/signaalctl' -d '%s' token new --rol veldwerker "
	         "--organisatie Bench --persoon mw-1 2>/dev/null",
	         absbuild, a);
	if ((fp = popen(cmd, "r")) == NULL ||
	    fgets(token, sizeof token, fp) == NULL)
		die("no token");
	pclose(fp);
	token[strcspn(token, "\r\n")] = '\0';
	req_len = (size_t)snprintf(
	    req_text, sizeof req_text,
	    "POST /api/v1/signals HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\n\r\n%s",
	    token, strlen(body), body);

	if ((daemon_pid = fork()) == 0) {
		char exe[4200];
		snprintf(exe, sizeof exe, "%s/signaald", absbuild);
		execl(exe, "signaald", "-d", a, (char *)NULL);
		_exit(127);
	}
	for (int i = 0;; i++) {
		int fd = dial();
		if (fd >= 0) {
			close(fd);
			break;
		}
		if (i > 100) {
			stop_daemon();
			die("signaald does not answer");
		}
		usleep(50000);
	}
	/* Warm up: connections, page cache, the WAL. */
	http_run(2, 100, &http[0]);
	/* Interleaved rounds, so that a change in the machine's load
	 * (a shared disk) falls on the baseline and the API alike. */
	for (int round = 0; round < ROUNDS; round++) {
		direct_run(b, total / ROUNDS, &direct_r[round]);
		for (int i = 0; i < 3; i++)
			http_run(clients[i], total / ROUNDS, &http_r[i][round]);
	}
	stop_daemon();
	combine(direct_r, &direct);
	for (int i = 0; i < 3; i++)
		combine(http_r[i], &http[i]);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	(void)run(cmd);

	printf("### HTTP API: durable signal captures\n\n");
	printf("`POST /api/v1/signals` to signaald on loopback (keep-alive "
	       "clients, 201 after the commit, `synchronous = %s`), %zu "
	       "captures per path in %d interleaved rounds, against direct "
	       "`store_signal_insert()` of the same signal (fields from "
	       "text, validated, one transaction each, same durability) in "
	       "the same run.\n\n",
	       sync_normal ? "normal" : "full", total, ROUNDS);
	printf("| path | clients | captures/s | p50 ms | p99 ms | ratio to "
	       "direct |\n|---|---:|---:|---:|---:|---:|\n");
	printf("| direct store insert (baseline) | 1 | %.0f | %.2f | %.2f | "
	       "1.00 |\n",
	       direct.rate, direct.p50, direct.p99);
	for (int i = 0; i < 3; i++)
		printf("| HTTP API | %d | %.0f | %.2f | %.2f | %.2f |\n",
		       clients[i], http[i].rate, http[i].p50, http[i].p99,
		       http[i].rate / direct.rate);
	printf("\nOne client, per capture, API minus direct insert: "
	       "%+.3f ms on average (1/rate), %+.3f ms at p50 (one commit "
	       "each either way; the rest is the request's own cost: "
	       "loopback TCP, HTTP, token, JSON in and out, "
	       "two hand-offs).\n",
	       1000.0 / http[0].rate - 1000.0 / direct.rate,
	       http[0].p50 - direct.p50);
	printf("\nThe API answers captures on a writer thread with its own "
	       "store connection and commits them in groups: what is queued "
	       "while one commit runs goes into the next (a savepoint each "
	       "when several, 201 only after the commit). One client pays the HTTP parse, "
	       "the token check, the JSON answer and two "
	       "thread hand-offs (HTTP thread to writer and back) on top of "
	       "the same one commit per capture; concurrent clients share "
	       "commits.%s\n",
	       http[0].ok && http[1].ok && http[2].ok && direct.ok
	           ? ""
	           : " **Some requests failed: the numbers are not valid.**");
	if (sync_normal)
		printf("\n**BENCH_SYNC=normal: no fsync per commit on either "
		       "side; not the durability of the table above.**\n");
	return http[0].ok && http[1].ok && http[2].ok && direct.ok ? 0 : 1;
}
