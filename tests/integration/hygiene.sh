#!/usr/bin/env bash
# What must never be tracked in git: generated fuzz inputs (tests/fuzz/README.md),
# build outputs, stores and keys.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	t_ok "not a git checkout: nothing to check"
	t_done
fi
tracked=$(git ls-files)
generated=$(echo "$tracked" | grep -E '^tests/fuzz/corpus/[^/]+/[0-9a-f]{40}$' | head -3)
if [ -z "$generated" ]; then t_ok "no generated fuzz inputs are tracked"
else t_notok "no generated fuzz inputs are tracked" "$generated"; fi
junk=$(echo "$tracked" | grep -E '\.(o|a|d|db|db-wal|db-shm|key|sec)$|^build/|node_modules/' | head -3)
if [ -z "$junk" ]; then t_ok "no build outputs, stores or keys are tracked"
else t_notok "no build outputs, stores or keys are tracked" "$junk"; fi
t_done
