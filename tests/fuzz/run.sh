#!/usr/bin/env bash
# Long fuzz runs: every target for SECONDS (default 300), growing the
# checked-in corpus in tests/fuzz/corpus/<target>/. Fails on any crash.
set -u
cd "$(dirname "$0")/../.."
seconds=${1:-300}
FUZZ_BUILD=${FUZZ_BUILD:-build/fuzz}
rc=0
for bin in "$FUZZ_BUILD"/bin/fuzz_*; do
	[ -x "$bin" ] || continue
	target=$(basename "$bin")
	corpus=tests/fuzz/corpus/${target#fuzz_}
	mkdir -p "$corpus" build/fuzz/artifacts
	echo "== $target for ${seconds}s"
	if ! "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
		-artifact_prefix=build/fuzz/artifacts/ "$corpus"; then
		echo "FAILED: $target (see build/fuzz/artifacts/)"
		rc=1
	fi
done
exit $rc
