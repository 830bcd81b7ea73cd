#!/usr/bin/env bash
# Runs every test and prints one closing line "N passed, N failed".
#
#   unit:        $BUILD/tests/test_*   (cmocka; counts its test cases)
#   integration: tests/integration/*.sh (lines "ok - ..." / "not ok - ...")
#   fuzz:        build/fuzz/bin/fuzz_*  (short libFuzzer run over the corpus)
#
# Environment: BUILD (default build), ONLY=<substring> to run a subset,
# FUZZ_SHORT seconds per fuzz target (default 8; 0 skips them),
# TEST_TIMEOUT seconds per program (default 600).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ONLY=${ONLY:-}
FUZZ_SHORT=${FUZZ_SHORT:-8}
TEST_TIMEOUT=${TEST_TIMEOUT:-600}
export BUILD
export ROOT=$PWD

passed=0
failed=0
# Tests write only under $BUILD and temporary folders: what is new and
# untracked in the checkout afterwards is a failure (below).
untracked() { git ls-files --others --exclude-standard 2>/dev/null | sort; }
untracked_before=$(untracked)
failures=()
logdir=$BUILD/test-logs
mkdir -p "$logdir"

selected() { [ -z "$ONLY" ] || [[ "$1" == *"$ONLY"* ]]; }

count_cmocka() { # name logfile rc
	local p f
	p=$(grep -Eo '\[  PASSED  \] [0-9]+' "$2" | awk '{s+=$NF} END {print s+0}')
	f=$(grep -Eo '\[  FAILED  \] [0-9]+' "$2" | awk '{s+=$NF} END {print s+0}')
	if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # crashed or timed out
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -gt 0 ]; then failures+=("$1 (see $2)"); fi
	printf '%-40s %3d passed %3d failed\n' "$1" "$p" "$f"
}

count_tap() { # name logfile rc
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
	printf '%-40s %3d passed %3d failed\n' "$1" "$p" "$f"
}

for bin in "$BUILD"/tests/test_*; do
	[ -x "$bin" ] || continue
	name=unit/$(basename "$bin")
	selected "$name" || continue
	log=$logdir/$(basename "$bin").log
	timeout "$TEST_TIMEOUT" "$bin" >"$log" 2>&1
	count_cmocka "$name" "$log" $?
done

for script in tests/integration/*.sh; do
	[ -f "$script" ] || continue
	name=integration/$(basename "$script" .sh)
	selected "$name" || continue
	log=$logdir/$(basename "$script" .sh).log
	timeout "$TEST_TIMEOUT" bash "$script" >"$log" 2>&1
	count_tap "$name" "$log" $?
done

if [ "$FUZZ_SHORT" != 0 ]; then
	for bin in build/fuzz/bin/fuzz_*; do
		[ -x "$bin" ] || continue
		target=$(basename "$bin")
		name=fuzz/$target
		selected "$name" || continue
		log=$logdir/$target.log
		work=$(mktemp -d)
		# The named seeds, and what `make fuzz` grew here, if anything
		# (tests/fuzz/README.md); a scratch copy, so neither changes.
		for corpus in tests/fuzz/corpus/${target#fuzz_} \
			build/fuzz/corpus/${target#fuzz_}; do
			[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
		done
		(cd "$work" && timeout $((FUZZ_SHORT + 60)) "$ROOT/$bin" \
			-max_total_time="$FUZZ_SHORT" -rss_limit_mb=1024 \
			-timeout=10 -artifact_prefix="$work/" . ) >"$log" 2>&1
		rc=$?
		if [ $rc -eq 0 ]; then echo "ok - $target" >>"$log"; else
			echo "not ok - $target (artifacts kept in $work)" >>"$log"; fi
		count_tap "$name" "$log" $rc
		[ $rc -eq 0 ] && rm -rf "$work"
	done
fi

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
