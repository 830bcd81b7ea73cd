#!/usr/bin/env bash
# Runs the benchmarks and writes their sections of bench/RESULTS.md.
#
# Each benchmark is a program $BUILD/bench/bench_NAME (or a script
# bench/bench_NAME.sh) that measures its own baseline in the same run and
# prints a Markdown section (### heading, table, verdict) on stdout.
#
# RESULTS.md holds one block per benchmark, between the markers
# "<!-- bench NAME -->" and "<!-- /bench NAME -->", each stamped with when
# and at what load it ran. BENCH="sync http" runs only those benchmarks
# and replaces only their blocks; the others stay as they were. Nothing
# written by hand belongs in RESULTS.md: the reading of the numbers is in
# docs/PERFORMANCE.md.
#
# BENCH_QUICK=1 asks the benchmarks for a smaller, faster run (used in CI
# smoke runs).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BENCH=${BENCH:-}
export BUILD ROOT=$PWD
out=bench/RESULTS.md

wanted() { # bench name
	[ -z "$BENCH" ] && return 0
	local w
	for w in $BENCH; do
		[ "$1" = "$w" ] || [ "$1" = "bench_$w" ] && return 0
	done
	return 1
}

# The block of one benchmark from the current RESULTS.md, markers included
# (empty when it has none).
old_block() { # name
	[ -f "$out" ] || return 0
	awk -v b="<!-- bench $1 -->" -v e="<!-- /bench $1 -->" \
		'$0 == b { on = 1 } on { print } $0 == e { on = 0 }' "$out"
}

tmp=$(mktemp)
blk=$(mktemp)
trap 'rm -f "$tmp" "$blk"' EXIT
rc=0
ran=0
{
	echo "# Benchmark results"
	echo
	echo "Written by \`make bench\` (bench/run.sh); each block says when it ran."
	echo "Every ratio is against a baseline measured in the same run. What the"
	echo "numbers mean, and the measurements made by hand, are in"
	echo "docs/PERFORMANCE.md."
	echo
} >"$tmp"
for b in "$BUILD"/bench/bench_* bench/bench_*.sh; do
	[ -f "$b" ] || continue
	name=$(basename "$b" .sh)
	case "$b" in
	*.sh) cmd=(bash "$b") ;;
	*) [ -x "$b" ] || continue; cmd=("$b") ;;
	esac
	if ! wanted "$name"; then
		old_block "$name" >>"$tmp"
		echo >>"$tmp"
		continue
	fi
	ran=$((ran + 1))
	echo "== $name" >&2
	if ! "${cmd[@]}" >"$blk"; then
		echo "benchmark $name failed" >&2
		rc=1
		old_block "$name" >>"$tmp" # keep the last good numbers
		echo >>"$tmp"
		continue
	fi
	{
		echo "<!-- bench $name -->"
		printf '_%s: %s, %s cores, load average %s at the end%s._\n\n' \
			"$name" "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" \
			"$(cut -d' ' -f1 /proc/loadavg)" \
			"$([ -n "${BENCH_QUICK:-}" ] && echo ', BENCH_QUICK')"
		cat "$blk"
		echo "<!-- /bench $name -->"
		echo
	} >>"$tmp"
done
if [ "$ran" -eq 0 ]; then
	echo "no benchmark matches BENCH=\"$BENCH\" (names: bench/bench_*.c, bench/bench_*.sh)" >&2
	exit 2
fi
printf '%s\n' "$(cat "$tmp")" >"$blk" # no blank line at the end
chmod 644 "$blk"
mv "$blk" "$out"
echo "wrote $out" >&2
exit $rc
