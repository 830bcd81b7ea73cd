#!/usr/bin/env bash
# The loop thread never waits on the store while it syncs (docs/DAEMON.md,
# "The sync engine's thread"): a hub takes in thousands of documents from
# a member while another process holds its store's write lock for a few
# seconds, and its /metrics (answered by the loop thread) stays prompt
# all the while. The sync engine waits for the lock on its own thread;
# the loop keeps answering. This test records its own measurement (the
# slowest /metrics answer) and fails when it reaches 1.5 s (half the time
# the lock is held), not on a timed unit test.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

DOCS=4000
LOCK_S=3

t_check "federation set up" fed_init federatie vvsg eeklo dendermonde
# Small pages: the sync takes many commits, so it is still going when
# the lock is taken.
sed -i "s/^page_docs = .*/page_docs = 16/" "$T/vvsg/signaal.ini"
t_check "dendermonde has $DOCS documents" fed_fill dendermonde "$DOCS"
# Status documents and releases are the store jobs' (daemon/tasks.c),
# not the sync's: vvsg publishes its first (its own head known from
# eeklo) before dendermonde is up.
fed_start eeklo
fed_start vvsg
t_check "vvsg published its status" fed_wait 30 \
	grep -q "event=status_published" "$T/vvsg.log"
fed_start dendermonde
# Poll /metrics every 0.1 s from the moment vvsg has part of
# dendermonde's feed;
# LOCK_S seconds of the sync run against a write lock held by another
# connection; then the sync must finish.
python3 - "$T/vvsg/signaal.db" "${FED_HTTP[vvsg]}" "$DOCS" "$LOCK_S" \
	>"$T/measure.out" 2>&1 <<'EOF'
import http.client, sqlite3, sys, threading, time
db, port, docs, lock_s = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])

def held():
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    n = c.execute("SELECT count(*) FROM feed_doc WHERE origin = 'dendermonde'").fetchone()[0]
    c.close()
    return n

def scrape():
    t = time.monotonic()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        c.request("GET", "/metrics")
        r = c.getresponse()
        r.read()
        status = r.status
        c.close()
    except OSError as e:
        status = "error %s" % e
    return status, time.monotonic() - t

# The lock is taken as soon as the first pages are in: ingest is fast
# (thousands of documents a second), so the poll is tight.
start = time.monotonic()
while held() < 32 and time.monotonic() - start < 60:
    time.sleep(0.002)
# The write lock (vvsg's commits then wait), taken between two of its
# page transactions: tried in a tight loop, not through SQLite's busy
# handler, whose growing sleeps lose every race with a fast sync.
lock = sqlite3.connect(db, timeout=0, isolation_level=None,
                       check_same_thread=False)
while True:
    try:
        lock.execute("BEGIN IMMEDIATE")
        break
    except sqlite3.OperationalError:
        if time.monotonic() - start > 60:
            raise
        time.sleep(0.0002)
locked_at = time.monotonic()
before = held()
lat, bad, n_locked_end = [], [], None
released = threading.Event()
def release():
    global n_locked_end
    n_locked_end = held()
    lock.execute("ROLLBACK")
    lock.close()
    released.set()
threading.Timer(lock_s, release).start()
while True:
    now = time.monotonic()
    status, secs = scrape()
    lat.append(secs)
    if status != 200 or secs > 0.5:
        bad.append((status, round(now - locked_at, 2), round(secs, 3)))
    if released.is_set() and (held() >= docs or now - start > 120):
        break
    time.sleep(0.1)
lat.sort()
print("docs_at_lock %d" % before)
print("docs_when_released %d" % n_locked_end)
print("docs_at_end %d" % held())
print("scrapes %d" % len(lat))
print("not_200 %d" % len([b for b in bad if b[0] != 200]))
print("slow_or_refused %s" % bad[:5])
print("p50_s %.3f" % lat[len(lat) // 2])
print("max_s %.3f" % lat[-1])
EOF
sed 's/^/# /' "$T/measure.out"
val() { awk -v k="$1" '$1 == k {print $2}' "$T/measure.out"; }
t_check "the sync was under way when the lock was taken" \
	test "$(val docs_at_lock)" -lt "$DOCS"
t_check "the sync waited for the lock (nothing stored while held)" \
	test "$(val docs_when_released)" = "$(val docs_at_lock)"
t_equal "every /metrics answered 200" "$(val not_200)" 0
t_check "the slowest /metrics answer took under 1.5 s (lock held ${LOCK_S} s)" \
	awk -v m="$(val max_s)" 'BEGIN {exit !(m < 1.5)}'
t_check "the sync finished after the lock" \
	test "$(val docs_at_end)" -ge "$DOCS"
t_check "converged" fed_wait_converged 60 vvsg dendermonde
fed_stop vvsg
fed_stop dendermonde
fed_stop eeklo
t_done
