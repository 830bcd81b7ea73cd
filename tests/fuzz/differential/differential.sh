#!/usr/bin/env bash
# A decoder rewrite keeps its verdicts: fuzz this tree's payload decoder
# against an older revision's (default: main's merge base with HEAD, or
# the revision given) for SECONDS seconds (default 300). Each decoder
# must give the same verdict and error code on every input, and encode
# what both accept to the same bytes. Not part of `make test` (it
# builds a second library); run it by hand after changing proto/.
#
#   tests/fuzz/differential/differential.sh [REV] [SECONDS]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
REV=${1:-$(git -C "$ROOT" merge-base HEAD main)}
SECONDS_=${2:-300}
WORK=${DIFF_WORK:-$ROOT/build/differential}
CC=${FUZZ_CC:-clang}
FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer"

rm -rf "$WORK" && mkdir -p "$WORK/corpus" "$WORK/grown"
git -C "$ROOT" worktree add -q --detach "$WORK/old" "$REV"
trap 'git -C "$ROOT" worktree remove --force "$WORK/old"' EXIT

echo "building $REV and this tree's library (clang, sanitizers)"
make -C "$WORK/old" -s -j2 CC="$CC" BUILD="$WORK/old-build" OPT="-O1 -g" \
	SAN="$FLAGS -fsanitize=fuzzer-no-link" "$WORK/old-build/libsignaal.a"
make -C "$ROOT" -s -j2 CC="$CC" BUILD="$WORK/new-build" OPT="-O1 -g" \
	SAN="$FLAGS -fsanitize=fuzzer-no-link" "$WORK/new-build/libsignaal.a"

# Every global the old library defines gets the prefix old_, in its
# definitions and its own references alike; libc and the dependencies
# stay shared.
nm -g --defined-only "$WORK/old-build/libsignaal.a" |
	awk 'NF == 3 && $3 !~ /^__/ {print $3, "old_" $3}' | sort -u >"$WORK/rename.map"
objcopy --redefine-syms="$WORK/rename.map" "$WORK/old-build/libsignaal.a" "$WORK/libold.a"

LIBS=$(make -C "$ROOT" -s -p -n 2>/dev/null | sed -n 's/^DEP_LIBS := //p' | head -1)
# shellcheck disable=SC2086
"$CC" -O1 -g $FLAGS -fsanitize=fuzzer -I"$ROOT" -o "$WORK/diff_payload" \
	"$ROOT/tests/fuzz/differential/diff_payload.c" \
	"$WORK/new-build/libsignaal.a" "$WORK/libold.a" $LIBS

# shellcheck disable=SC2086
"$CC" -O1 -g $FLAGS -I"$ROOT" -o "$WORK/payloads" \
	"$ROOT/tests/fuzz/differential/payloads.c" "$WORK/new-build/libsignaal.a" $LIBS
cp "$ROOT"/tests/fuzz/corpus/payload/* "$WORK/corpus/"
"$WORK/payloads" "$WORK/corpus" "$ROOT"/tests/vectors/*.hex
echo "fuzzing for $SECONDS_ s against $REV"
"$WORK/diff_payload" -max_total_time="$SECONDS_" -rss_limit_mb=2048 \
	-timeout=10 -artifact_prefix="$WORK/" "$WORK/grown" "$WORK/corpus"
