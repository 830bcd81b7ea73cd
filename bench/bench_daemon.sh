#!/usr/bin/env bash
# bench_daemon: signaald as a process, on loopback.
#
#  1. Eleven nodes laid out as the demo federation (the association and
#     the ten pilots, interval 5 s): each pilot holds 24 new documents
#     (its two years of monthly releases) when the daemons start; time
#     until all 264 are at every node. Then, everything in step, time
#     until one new document at one pilot is at all eleven. Baseline: the
#     sync interval (5 s) — without kicks a new document needs up to two
#     intervals to cross the hub. Then the real demo (tools/demo.sh:
#     real summaries released by the daemons) is timed too.
#  2. An idle daemon: resident memory (VmRSS) and CPU of the association's
#     signaald in the idle federation (ten peers, a round each every 5 s)
#     and of a node with no peers, over 60 s (BENCH_QUICK: 10 s). Target:
#     <= 10 MB and CPU about 0; baseline: the same process right after the
#     sync settled.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ROOT
. "$ROOT/tests/lib.sh" >/dev/null
. "$ROOT/tests/lib_federation.sh"
quick=0
case "${BENCH_QUICK:-}" in "" | 0) ;; *) quick=1 ;; esac
idle_s=60
[ "$quick" = 1 ] && idle_s=10

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

NODES=(vvsg berlaar bornem dendermonde eeklo gent kortrijk mortsel oud-turnhout roeselare sint-niklaas)
fed_init federatie "${NODES[@]}" >/dev/null || { echo "set-up failed"; exit 1; }
for n in "${NODES[@]}"; do
	sed -i 's/^interval_s = .*/interval_s = 5/; s/^backoff_max_s = .*/backoff_max_s = 10/' "$T/$n/signaal.ini"
	[ "$n" = vvsg ] || fed_fill "$n" 24
done
want=$(( 3 + 240 + 11 ))
t=$(now)
for n in "${NODES[@]}"; do fed_start "$n"; done
fed_wait 120 bash -c "'$SIGNAALCTL' -d '$T/vvsg' sync digest | grep -q 'docs=$want\$'" ||
	{ echo "no convergence"; exit 1; }
fed_wait_converged 120 "${NODES[@]}" >/dev/null || { echo "no convergence"; exit 1; }
start_conv=$(since "$t")
sleep 1
t=$(now)
fed_fill oud-turnhout 1 7
fed_wait_converged 60 "${NODES[@]}" >/dev/null
one=$(since "$t")

echo "### signaald: the demo federation and an idle daemon"
echo
echo "| measurement (11 signaald on loopback, interval 5 s) | seconds | baseline: interval | ratio |"
echo "|---|---:|---:|---:|"
echo "| start of 11 daemons until 10 x 24 new documents (and the statuses) are at every node | $start_conv | 5 | $(ratio "$start_conv" 5) |"
echo "| one new document at a pilot until all 11 nodes hold it | $one | 5 | $(ratio "$one" 5) |"
fed_pick_ports
DEMO_DIR=$T/demo DEMO_PORT=$((FED_BASE + 50)) DEMO_HTTP_PORT=$((FED_BASE + 70)) BUILD=$BUILD \
	"$ROOT/tools/demo.sh" >"$T/demo.out" 2>&1
conv=$(grep -oE "^geconvergeerd in [0-9.]+" "$T/demo.out" | awk '{print $3}')
n=$(grep -oE "geven [0-9]+ maandsamenvattingen" "$T/demo.out" | awk '{print $2}')
if [ -n "$conv" ]; then
	echo "| make demo: start of 11 daemons until the $n summaries they release are at every node | $conv | 5 | $(ratio "$conv" 5) |"
else
	echo "bench_daemon: the demo did not converge; see $T/demo.out" >&2
	exit 1
fi
echo
echo "A new document spreads by kicks: a node that stores something new"
echo "starts a round with its other peers within a second instead of"
echo "waiting for the interval."
echo

# 2. idle
hub=${FED_PID[vvsg]}
rss0=$(rss_kb "$hub")
cpu0=$(cpu_ticks "$hub")
fed_node lone gemeente ""
fed_join lone
fed_start lone
lone=${FED_PID[lone]}
sleep 2
lrss0=$(rss_kb "$lone")
lcpu0=$(cpu_ticks "$lone")
sleep "$idle_s"
rss1=$(rss_kb "$hub")
cpu1=$(cpu_ticks "$hub")
lrss1=$(rss_kb "$lone")
lcpu1=$(cpu_ticks "$lone")
cpu_s() { awk -v a="$1" -v h="$hz" 'BEGIN {printf "%.2f", a / h}'; }
cpu_pct() { awk -v a="$1" -v h="$hz" -v s="$idle_s" 'BEGIN {printf "%.2f%%", 100 * a / h / s}'; }
echo "| idle for ${idle_s} s | RSS after the sync (KiB) | RSS at the end (KiB) | target (KiB) | CPU s | CPU share |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| association, 10 peers, a round each every 5 s | $rss0 | $rss1 | 10240 | $(cpu_s $((cpu1 - cpu0))) | $(cpu_pct $((cpu1 - cpu0))) |"
echo "| a node without peers | $lrss0 | $lrss1 | 10240 | $(cpu_s $((lcpu1 - lcpu0))) | $(cpu_pct $((lcpu1 - lcpu0))) |"
echo
if [ "$rss1" -le 10240 ] && [ "$lrss1" -le 10240 ]; then
	echo "Resident memory stays within the 10 MB target."
else
	echo "Resident memory is above the 10 MB target."
fi
for n in "${NODES[@]}" lone; do fed_stop "$n" >/dev/null; done
exit 0
