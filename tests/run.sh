#!/usr/bin/env bash
# Runs every test and prints one closing line "N passed, N failed".
#
#   unit:        $BUILD/tests/test_*   (cmocka; counts its test cases)
#   integration: tests/integration/*.sh (lines "ok - ..." / "not ok - ...")
#   fuzz:        build/fuzz/bin/fuzz_*  (short libFuzzer run over the corpus)
#
# Tests run side by side, TEST_JOBS at a time (most integration tests wait
# on daemons more than they compute), at most TEST_HEAVY of the heavy ones
# (below) among them; each one's output goes to $BUILD/test-logs/NAME.log
# and its line (counts, wall time) is printed when it ends; its wall and
# CPU seconds, and when it started (seconds into the run), also go to
# $BUILD/test-logs/times.tsv.
#
# Environment: BUILD (default build), ONLY=<substring> to run a subset,
# TEST_JOBS (default: twice the number of CPUs plus two; 1 runs one test after
# the other), TEST_HEAVY (default: the number of CPUs), FUZZ_SHORT
# seconds per fuzz target (default 8; 0 skips them), TEST_TIMEOUT seconds
# per program (default 600).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ONLY=${ONLY:-}
FUZZ_SHORT=${FUZZ_SHORT:-8}
TEST_TIMEOUT=${TEST_TIMEOUT:-600}
ncpu=$(nproc 2>/dev/null || echo 2)
TEST_JOBS=${TEST_JOBS:-$((2 * ncpu + 2))}
[[ "$TEST_JOBS" =~ ^[1-9][0-9]*$ ]] || { echo "TEST_JOBS must be a positive number" >&2; exit 2; }
export BUILD
export ROOT=$PWD

# Heavy tests: they keep a core busy for most of their run, or measure
# how the node answers while busy, so that several at once on a 2-core
# machine slow each other (and their time bounds) more than they gain. At
# most TEST_HEAVY of them run at once (default: one per CPU), beside
# lighter ones; each is listed with its reason.
HEAVY="
	integration/web_workbench integration/dashboard_browser
	integration/web_browser integration/bundle_browser
	integration/web_retry_browser integration/web_logout_browser
	integration/demo integration/http_faults integration/sync_silent_flood
"
# chromium with several pages (the _browser tests, web_workbench): its
# waits are generous, but a browser beside another browser is where the
# CPU goes; demo: eleven signaald processes converging (tools/demo.sh);
# http_faults: a load loop that times the node's answers while it is
# busy; sync_silent_flood: 2000 connections held on a clock (nng drops
# them after 10 s) while /healthz is timed.
# Tests that run alone, before the others (nothing beside them): their
# scenario is timed against the daemon's own clock, which other tests'
# load shifts. loop_busy_store: another process takes the store's lock
# 3.5 s after signaald answers, so that the purge due 5 s after its start
# waits for it and a SIGHUP lands inside the purge; with the CPUs busy
# the start, or python's, takes long enough that the purge has come and
# gone first.
ALONE="integration/loop_busy_store"
TEST_HEAVY=${TEST_HEAVY:-$ncpu}
[[ "$TEST_HEAVY" =~ ^[1-9][0-9]*$ ]] || { echo "TEST_HEAVY must be a positive number" >&2; exit 2; }
heavy() { [[ "$HEAVY" == *[[:space:]]"${names[$1]}"[[:space:]]* ]]; }
alone() { [[ " $ALONE " == *[[:space:]]"${names[$1]}"[[:space:]]* ]]; }
# Long tests start first, so that the short ones fill the gaps at the end
# rather than one long test running alone after everything else.
FIRST="integration/web_workbench integration/demo unit/test_node_release
	integration/dashboard_browser unit/test_attack integration/alerts
	integration/web_browser integration/http
	integration/http_faults integration/bundle_browser
	integration/sync_refusal unit/test_noise unit/test_secagg_federation"

passed=0
failed=0
# Tests write only under $BUILD and temporary folders: what is new and
# untracked in the checkout afterwards is a failure (below).
untracked() { git ls-files --others --exclude-standard 2>/dev/null | sort; }
untracked_before=$(untracked)
failures=()
logdir=$BUILD/test-logs
mkdir -p "$logdir"
: >"$logdir/times.tsv"

selected() { [ -z "$ONLY" ] || [[ "$1" == *"$ONLY"* ]]; }

# show NAME PASSED FAILED SECONDS: a test's line.
show() { printf '%-40s %3d passed %3d failed %6.1fs\n' "$1" "$2" "$3" "$4"; }

count_cmocka() { # name logfile rc seconds
	local p f
	p=$(grep -Eo '\[  PASSED  \] [0-9]+' "$2" | awk '{s+=$NF} END {print s+0}')
	f=$(grep -Eo '\[  FAILED  \] [0-9]+' "$2" | awk '{s+=$NF} END {print s+0}')
	if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # crashed or timed out
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -gt 0 ]; then failures+=("$1 (see $2)"); fi
	show "$1" "$p" "$f" "$4"
}

count_tap() { # name logfile rc seconds
	local p f
	p=$(grep -c '^ok ' "$2")
	f=$(grep -c '^not ok ' "$2")
	if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		failures+=("$1 (see $2)")
		grep '^not ok ' "$2" | sed 's/^/    /'
	fi
	show "$1" "$p" "$f" "$4"
}

# The tests to run: parallel arrays of name, kind and program.
names=()
kinds=()
progs=()
add() { names+=("$1"); kinds+=("$2"); progs+=("$3"); }

for bin in "$BUILD"/tests/test_*; do
	[ -x "$bin" ] || continue
	selected "unit/$(basename "$bin")" && add "unit/$(basename "$bin")" unit "$bin"
done
for script in tests/integration/*.sh; do
	[ -f "$script" ] || continue
	name=integration/$(basename "$script" .sh)
	selected "$name" && add "$name" tap "$script"
done
if [ "$FUZZ_SHORT" != 0 ]; then
	for bin in build/fuzz/bin/fuzz_*; do
		[ -x "$bin" ] || continue
		name=fuzz/$(basename "$bin")
		selected "$name" && add "$name" fuzz "$bin"
	done
fi

# The order: ALONE's tests, FIRST's, then the rest as found.
order=()
for want in $ALONE $FIRST; do
	for i in "${!names[@]}"; do [ "${names[$i]}" = "$want" ] && order+=("$i"); done
done
for i in "${!names[@]}"; do [[ " $ALONE $FIRST " == *[[:space:]]"${names[$i]}"[[:space:]]* ]] || order+=("$i"); done

# A short libFuzzer run of one target over its named seeds and what
# `make fuzz` grew here, if anything (tests/fuzz/README.md); a scratch
# copy, so neither changes.
run_fuzz() { # bin log
	local target work corpus rc
	target=$(basename "$1")
	work=$(mktemp -d)
	for corpus in tests/fuzz/corpus/${target#fuzz_} \
		build/fuzz/corpus/${target#fuzz_}; do
		[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
	done
	(cd "$work" && timeout $((FUZZ_SHORT + 60)) "$ROOT/$1" \
		-max_total_time="$FUZZ_SHORT" -rss_limit_mb=1024 \
		-timeout=10 -artifact_prefix="$work/" . ) >"$2" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then echo "ok - $target" >>"$2"; else
		echo "not ok - $target (artifacts kept in $work)" >>"$2"; fi
	[ $rc -eq 0 ] && rm -rf "$work"
	return $rc
}

# run_one I: runs test I (in the background), its output to its log; its
# exit code, wall and CPU seconds to $logdir/.I.result.
run_one() {
	local i=$1 log t0 rc cpu
	log=$logdir/$(basename "${progs[$i]}" .sh).log
	t0=$EPOCHREALTIME
	case ${kinds[$i]} in
	unit) timeout "$TEST_TIMEOUT" "${progs[$i]}" >"$log" 2>&1 </dev/null ;;
	tap) timeout "$TEST_TIMEOUT" bash "${progs[$i]}" >"$log" 2>&1 </dev/null ;;
	fuzz) run_fuzz "${progs[$i]}" "$log" </dev/null ;;
	esac
	rc=$?
	# user and system seconds of what this subshell waited for
	times >"$logdir/.$i.times"
	cpu=$(tail -1 "$logdir/.$i.times" | sed 's/m/ /g; s/s//g' |
		awk '{printf "%.1f", $1 * 60 + $2 + $3 * 60 + $4}')
	rm -f "$logdir/.$i.times"
	echo "$rc $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}') $cpu" \
		"$(awk -v a="$run_t0" -v b="$t0" 'BEGIN {printf "%.1f", b - a}')" >"$logdir/.$i.result"
}

# finish PID: counts the test that process ran.
declare -A running=() # pid -> test index
nheavy=0
finish() {
	local i=${running[$1]} rc secs cpu start log
	unset "running[$1]"
	if alone "$i"; then nalone=0; elif heavy "$i"; then nheavy=$((nheavy - 1)); fi
	read -r rc secs cpu start <"$logdir/.$i.result"
	rm -f "$logdir/.$i.result"
	log=$logdir/$(basename "${progs[$i]}" .sh).log
	if [ "${kinds[$i]}" = unit ]; then count_cmocka "${names[$i]}" "$log" "$rc" "$secs"
	else count_tap "${names[$i]}" "$log" "$rc" "$secs"; fi
	printf '%s\t%s\t%s\t%s\n' "${names[$i]}" "$secs" "$cpu" "$start" >>"$logdir/times.tsv"
}

# start_fitting: starts the waiting tests, in order, while there is room:
# fewer than TEST_JOBS running, and fewer than TEST_HEAVY heavy ones for a
# heavy test (a heavy test that does not fit lets the next ones by); an
# ALONE test only when nothing runs, and nothing beside it.
nalone=0
start_fitting() {
	local k i
	for k in "${!pending[@]}"; do
		[ "${#running[@]}" -lt "$TEST_JOBS" ] && [ "$nalone" = 0 ] || return 0
		i=${pending[$k]}
		if alone "$i"; then
			[ "${#running[@]}" = 0 ] || return 0
			nalone=1
		elif heavy "$i"; then
			[ "$nheavy" -lt "$TEST_HEAVY" ] || continue
			nheavy=$((nheavy + 1))
		fi
		run_one "$i" &
		running[$!]=$i
		unset "pending[$k]"
	done
}

# Stopped (Ctrl-C, or a TERM from CI): stop the running tests too; their
# own cleanup (tests/lib.sh) stops their daemons.
stop_all() {
	local pid
	for pid in "${!running[@]}"; do pkill -TERM -P "$pid" 2>/dev/null; done
	exit 130
}
trap stop_all INT TERM

pending=("${order[@]}")
run_t0=$EPOCHREALTIME
while :; do
	start_fitting
	[ "${#running[@]}" -gt 0 ] || break
	wait -n -p done_pid "${!running[@]}"
	finish "$done_pid"
done

left=$(comm -13 <(echo "$untracked_before") <(untracked) | head -5)
if [ -n "$left" ]; then
	failed=$((failed + 1))
	failures+=("files left in the checkout by a test: $(echo $left)")
else
	passed=$((passed + 1))
fi

echo
for f in "${failures[@]+"${failures[@]}"}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
