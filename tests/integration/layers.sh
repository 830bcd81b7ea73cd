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

forbid "common/ depends on nothing of ours" common 'core/|view/|proto/|store/|node/|daemon/|tools/'
forbid "core/ does no I/O and knows no store or wire" core 'view/|proto/|store/|node/|daemon/|tools/|uv\.h|nng/|sqlite3\.h|jansson\.h'
forbid "view/ renders core/ and knows no store or wire" view 'proto/|store/|node/|daemon/|tools/|uv\.h|nng/|sqlite3\.h|msgpack\.h'
forbid "proto/ does no I/O and knows no store" proto 'view/|store/|node/|daemon/|tools/|uv\.h|nng/|sqlite3\.h'
forbid "store/ knows no sockets or event loop" store 'view/|proto/|node/|daemon/|tools/|uv\.h|nng/'
forbid "node/ composes store/ and proto/ without SQL, bytes or sockets" node 'daemon/|tools/|uv\.h|nng/|sqlite3\.h|msgpack\.h'
forbid "daemon/ contains no SQL and no msgpack" daemon 'sqlite3\.h|msgpack\.h'
forbid "tools/ go through store/ and proto/" tools 'sqlite3\.h|msgpack\.h'

# core/ is pure: no file, stream or descriptor I/O (snprintf into memory
# is fine). A call or a POSIX I/O header is a failure.
io=$(grep -nE '(^|[^a-zA-Z0-9_.>])(fopen|fdopen|freopen|fread|fwrite|fclose|fflush|fprintf|vfprintf|printf|vprintf|puts|fputs|fputc|putchar|fgets|fgetc|getline|perror|open|openat|creat|read|pread|write|pwrite|close|stat|fstat|lstat|unlink|rename|mkdir|rmdir|opendir|readdir|fsync|popen|system|dup2?)[[:space:]]*\(' core/*.c 2>/dev/null |
	grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)')
io_h=$(grep -nE '^#include <(unistd|fcntl|dirent|sys/stat|sys/socket|sys/types|poll|sys/mman)\.h>' core/*.c core/*.h 2>/dev/null)
if [ -z "$io$io_h" ]; then t_ok "core/ does no I/O"
else t_notok "core/ does no I/O" "$(printf '%s\n%s' "$io" "$io_h" | grep . | head -3)"; fi
# The naming rule of docs/DEVELOPING.md, checked on the objects: every
# external function starts with its folder's prefix. No exceptions.
# Objects whose source is gone (a stale build folder) are skipped.
prefix_bad() { # DIR PREFIX
	for o in "$BUILD"/obj/"$1"/*.o; do
		[ -f "$1/$(basename "$o" .o).c" ] || continue
		[ "$1/$(basename "$o")" = daemon/main.o ] && continue
		nm -g --defined-only "$o" | awk -v f="$1/$(basename "$o")" -v p="^$2" \
			'$2 == "T" && $3 !~ p {print f ": " $3}'
	done
}
bad=$(prefix_bad common ls_; prefix_bad core ls_; prefix_bad view ls_
	prefix_bad store store_; prefix_bad proto proto_; prefix_bad node node_
	prefix_bad daemon daemon_)
if [ -z "$bad" ]; then t_ok "every folder's external functions carry its prefix"
else t_notok "every folder's external functions carry its prefix" "$(echo "$bad" | head -5)"; fi
t_done
