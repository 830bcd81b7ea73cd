#!/usr/bin/env bash
# Long fuzz runs: every target for SECONDS (default 300). Fails on any crash.
#
# The committed inputs in tests/fuzz/corpus/<target>/ are named seeds and
# crash regressions only (tests/fuzz/README.md). What a run discovers grows
# in build/fuzz/corpus/<target>/, outside git, and is minimised with
# libFuzzer's -merge=1 after each run so it stays small.
set -u
cd "$(dirname "$0")/../.."
seconds=${1:-300}
FUZZ_BUILD=${FUZZ_BUILD:-build/fuzz}
rc=0
for bin in "$FUZZ_BUILD"/bin/fuzz_*; do
	[ -x "$bin" ] || continue
	target=$(basename "$bin")
	seeds=tests/fuzz/corpus/${target#fuzz_}
	grown=$FUZZ_BUILD/corpus/${target#fuzz_}
	mkdir -p "$seeds" "$grown" "$FUZZ_BUILD/artifacts"
	echo "== $target for ${seconds}s"
	# The first folder receives new inputs; the seeds are only read.
	if ! "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
		-artifact_prefix="$FUZZ_BUILD/artifacts/" "$grown" "$seeds"; then
		echo "FAILED: $target (see $FUZZ_BUILD/artifacts/)"
		rc=1
		continue
	fi
	minimal=$(mktemp -d)
	if "$bin" -merge=1 -rss_limit_mb=2048 -timeout=10 "$minimal" "$grown" \
		>"$FUZZ_BUILD/artifacts/$target.merge.log" 2>&1; then
		rm -rf "$grown" && mv "$minimal" "$grown"
		echo "   corpus minimised to $(ls "$grown" | wc -l) inputs"
	else
		rm -rf "$minimal"
		echo "   (merge failed; corpus kept as it grew)"
	fi
done
exit $rc
