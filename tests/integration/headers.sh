#!/usr/bin/env bash
# Every header compiles on its own (it includes what it needs), and all of
# them compile together (no two modules define the same name).
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
CFLAGS_H="-std=c11 -I. -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror $(pkg-config --cflags libuv sqlite3 msgpack libsodium inih jansson 2>/dev/null)"
headers=$(git ls-files 'common/*.h' 'core/*.h' 'proto/*.h' 'store/*.h' 'node/*.h' 'daemon/*.h' 2>/dev/null)
bad=""
for h in $headers; do
	printf '#include "%s"\n' "$h" >"$T/one.c"
	cc $CFLAGS_H -fsyntax-only "$T/one.c" 2>>"$T/one.err" || bad="$bad $h"
done
if [ -z "$bad" ]; then t_ok "each header compiles alone"; else
	t_notok "each header compiles alone" "$bad"; head -20 "$T/one.err"; fi
: >"$T/all.c"
for h in $headers; do printf '#include "%s"\n' "$h" >>"$T/all.c"; done
t_check "all headers compile together" cc $CFLAGS_H -fsyntax-only "$T/all.c"
t_done
