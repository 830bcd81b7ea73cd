#!/usr/bin/env bash
# The dependency rules of docs/ARCHITECTURE.md, checked on the includes:
# lower layers never include upper ones or their libraries.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"

forbid() { # NAME DIR PATTERN
	local hits
	hits=$(grep -rnE "^#include [<\"]($3)" "$2" --include='*.[ch]' 2>/dev/null)
	if [ -z "$hits" ]; then t_ok "$1"; else t_notok "$1" "$(echo "$hits" | head -3)"; fi
}

forbid "common/ depends on nothing of ours" common 'core/|proto/|store/|node/|daemon/|tools/'
forbid "core/ does no I/O and knows no store or wire" core 'proto/|store/|node/|daemon/|tools/|uv\.h|nng/|sqlite3\.h'
forbid "proto/ does no I/O and knows no store" proto 'store/|node/|daemon/|tools/|uv\.h|nng/|sqlite3\.h'
forbid "store/ knows no sockets or event loop" store 'proto/|node/|daemon/|tools/|uv\.h|nng/'
forbid "node/ composes store/ and proto/ without SQL, bytes or sockets" node 'daemon/|tools/|uv\.h|nng/|sqlite3\.h|msgpack\.h'
forbid "daemon/ contains no SQL and no msgpack" daemon 'sqlite3\.h|msgpack\.h'
forbid "tools/ go through store/ and proto/" tools 'sqlite3\.h|msgpack\.h'
t_done
