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
# external function of daemon/ starts with daemon_.
bad=$(for o in "$BUILD"/obj/daemon/*.o; do
	[ "$(basename "$o")" = main.o ] && continue
	nm -g --defined-only "$o" | awk -v f="$(basename "$o")" '$2 == "T" && $3 !~ /^daemon_/ {print f ": " $3}'
done)
if [ -z "$bad" ]; then t_ok "daemon/ functions carry the daemon_ prefix"
else t_notok "daemon/ functions carry the daemon_ prefix" "$(echo "$bad" | head -3)"; fi
# common/ and core/ carry ls_, store/ store_. The one exception left
# (docs/DEVELOPING.md) is core/secagg.c's secagg_; shrink this list, never
# grow it.
prefix_bad() { # DIR PREFIX ALLOWED (an awk regex of file:symbol)
	for o in "$BUILD"/obj/"$1"/*.o; do
		nm -g --defined-only "$o" | awk -v f="$(basename "$o")" -v p="^$2" -v ok="$3" \
			'$2 == "T" && $3 !~ p && (f ": " $3) !~ ok {print f ": " $3}'
	done
}
bad=$(prefix_bad common ls_ '^$'; prefix_bad core ls_ '^secagg\.o: secagg_'; prefix_bad store store_ '^$')
if [ -z "$bad" ]; then t_ok "common/, core/ and store/ functions carry ls_ or store_"
else t_notok "common/, core/ and store/ functions carry ls_ or store_" "$(echo "$bad" | head -3)"; fi
t_done
