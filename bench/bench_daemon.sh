#!/usr/bin/env bash
# bench_daemon: signaald as a process.
#
#  1. The eleven-node demo federation (tools/demo.sh, DEMO_KEEP=1): time
#     from starting the daemons until every pilot's released summaries are
#     everywhere; then, with everything in step, time until one new
#     document at one pilot is at all eleven nodes. Baseline: the sync
#     interval of the demo's config (5 s) — without the kicks a new
#     document would need up to two intervals to cross the hub.
#  2. An idle daemon: resident memory (VmRSS) and CPU time of the
#     association's signaald in the idle demo federation (ten peers, a
#     round with each every 5 s) and of a node with no peers, over 60 s
#     (BENCH_QUICK: 10 s). Targets: <= 10 MB, CPU about 0. Baseline: the
#     same process's RSS right after start.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
CTL=$BUILD/signaalctl
PROBE=$BUILD/signaal-probe
quick=0
case "${BENCH_QUICK:-}" in "" | 0) ;; *) quick=1 ;; esac
idle_s=60
[ "$quick" = 1 ] && idle_s=10
W=$(mktemp -d /tmp/bench-daemon.XXXXXX)
port=$((30000 + ($$ % 200) * 100))

cleanup() {
	DEMO_DIR=$W/demo "$ROOT/tools/demo.sh" stop >/dev/null 2>&1
	[ -n "${lone_pid:-}" ] && kill -TERM "$lone_pid" 2>/dev/null && wait "$lone_pid" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; }
digest() { "$CTL" -d "$1" sync digest | cut -d' ' -f1; }
all_equal() {
	local first d n
	first=$(digest "$W/demo/vvsg")
	for n in "$W"/demo/*/signaal.ini; do
		d=$(digest "$(dirname "$n")")
		[ "$d" = "$first" ] || return 1
	done
}
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

echo "### signaald: the demo federation and an idle daemon"
echo
if ! "$CTL" summary --help >/dev/null 2>&1; then
	echo "(skipped: this build has no summary release pipeline, so the"
	echo "demo federation cannot run)"
	exit 0
fi
DEMO_DIR=$W/demo DEMO_PORT=$port DEMO_KEEP=1 BUILD=$BUILD \
	"$ROOT/tools/demo.sh" >"$W/demo.out" 2>&1 || {
	echo "demo failed:"
	tail -20 "$W/demo.out"
	exit 1
}
conv=$(grep -oE "^geconvergeerd in [0-9.]+" "$W/demo.out" | awk '{print $3}')
docs=$(grep -oE "docs=[0-9]+" "$W/demo.out" | head -1 | cut -d= -f2)
summaries=$(grep -oE "geven [0-9]+ maandsamenvattingen" "$W/demo.out" | awk '{print $2}')

# One new document at one pilot, everything else in step.
all_equal || sleep 2
t=$(now)
"$PROBE" fill --dir "$W/demo/oud-turnhout" --count 1 --salt 9 >/dev/null
for _ in $(seq 300); do
	sleep 0.05
	if [ "$(digest "$W/demo/oud-turnhout")" != "" ] && all_equal; then
		break
	fi
done
one=$(since "$t")

echo "| measurement | seconds | baseline: sync interval | ratio |"
echo "|---|---:|---:|---:|"
echo "| start of 11 daemons until $summaries released summaries ($docs documents) are at every node | $conv | 5 | $(awk -v a="$conv" 'BEGIN {printf "%.2f", a / 5}') |"
echo "| one new document at a pilot until all 11 nodes hold it | $one | 5 | $(awk -v a="$one" 'BEGIN {printf "%.2f", a / 5}') |"
echo
echo "A new document spreads by kicks (a node that stores something new"
echo "starts a round with its other peers within a second), not by"
echo "waiting for the interval."
echo

# 2. idle
hub_pid=$(cat "$W/demo/vvsg/signaald.pid")
rss0=$(rss_kb "$hub_pid")
cpu0=$(cpu_ticks "$hub_pid")
# A node with no peers: the demo's Berlaar config, alone.
cp -a "$W/demo/berlaar" "$W/lone"
rm -f "$W/lone/signaald.pid"
sed -i "s/^peers = .*/peers =/; s|^listen = .*|listen = tcp://127.0.0.1:$((port + 50))|" \
	"$W/lone/signaal.ini"
"$BUILD/signaald" -d "$W/lone" 2>"$W/lone.log" &
lone_pid=$!
sleep 2
lrss0=$(rss_kb "$lone_pid")
lcpu0=$(cpu_ticks "$lone_pid")
sleep "$idle_s"
rss1=$(rss_kb "$hub_pid")
cpu1=$(cpu_ticks "$hub_pid")
lrss1=$(rss_kb "$lone_pid")
lcpu1=$(cpu_ticks "$lone_pid")
hz=$(getconf CLK_TCK)
echo "| idle for ${idle_s} s | RSS at start (KiB) | RSS after (KiB) | target | CPU s | CPU share |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| association, 10 peers, a round each every 5 s | $rss0 | $rss1 | 10240 | $(awk -v a=$((cpu1 - cpu0)) -v h="$hz" 'BEGIN {printf "%.2f", a / h}') | $(awk -v a=$((cpu1 - cpu0)) -v h="$hz" -v s="$idle_s" 'BEGIN {printf "%.2f%%", 100 * a / h / s}') |"
echo "| a node without peers | $lrss0 | $lrss1 | 10240 | $(awk -v a=$((lcpu1 - lcpu0)) -v h="$hz" 'BEGIN {printf "%.2f", a / h}') | $(awk -v a=$((lcpu1 - lcpu0)) -v h="$hz" -v s="$idle_s" 'BEGIN {printf "%.2f%%", 100 * a / h / s}') |"
echo
if [ "$rss1" -le 10240 ] && [ "$lrss1" -le 10240 ]; then
	echo "Resident memory stays within the 10 MB target."
else
	echo "Resident memory is above the 10 MB target (nng's threads and"
	echo "SQLite's page cache are most of it)."
fi
