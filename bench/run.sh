#!/usr/bin/env bash
# Runs every benchmark and writes bench/RESULTS.md.
#
# Each benchmark is a program $BUILD/bench/bench_NAME (or a script
# bench/bench_NAME.sh) that measures its own baseline in the same run and
# prints a Markdown section (### heading, table, verdict) on stdout.
# BENCH_QUICK=1 asks them for a smaller, faster run (used in CI smoke runs).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD ROOT=$PWD
out=bench/RESULTS.md
tmp=$(mktemp)
rc=0
{
	echo "# Benchmark results"
	echo
	echo "Written by \`make bench\` on $(date -u +%Y-%m-%dT%H:%MZ)," \
		"$(nproc) cores, $(uname -m), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)." \
		"Every ratio is against a baseline measured in the same run."
	echo
} >"$tmp"
for b in "$BUILD"/bench/bench_* bench/bench_*.sh; do
	[ -f "$b" ] || continue
	case "$b" in
	*.sh) cmd=(bash "$b") ;;
	*) [ -x "$b" ] || continue; cmd=("$b") ;;
	esac
	echo "== $(basename "$b")" >&2
	if ! "${cmd[@]}" >>"$tmp"; then
		echo "benchmark $(basename "$b") failed" >&2
		rc=1
	fi
	echo >>"$tmp"
done
mv "$tmp" "$out"
echo "wrote $out" >&2
exit $rc
