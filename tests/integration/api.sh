#!/usr/bin/env bash
# docs/API.md's examples, run in order against a real node, each checked
# against the status it states ("# → 201").
#
# Always: every ```sh example of docs/API.md states its status and uses
# only the documented variables. Then the examples run against
#   - a node this script starts ($BUILD/signaald with an [http] section),
#   - or, for developers, a running node: API_URL=http://127.0.0.1:8080
#     API_TOKEN=... API_VELDWERKER=... API_BEHEERDER=... (a fresh node).
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
DOC=docs/API.md

# --- the examples --------------------------------------------------------
# Split into $T/ex/NNN.sh (the command) and $T/ex/NNN.want (the status).
mkdir -p "$T/ex"
awk -v dir="$T/ex" '
	/^```sh$/ { inblk = 1; n++; f = sprintf("%s/%03d", dir, n); first = 1; next }
	/^```/ && inblk { inblk = 0; next }
	inblk && first { first = 0
		if ($0 ~ /^# → [0-9][0-9][0-9]$/) { w = $0; sub(/^# → /, "", w); print w > (f ".want"); next }
		print "missing" > (f ".want") }
	inblk { print >> (f ".sh") }
' "$DOC"
n_examples=$(ls "$T/ex"/*.want 2>/dev/null | wc -l)
if [ "$n_examples" -ge 20 ]; then t_ok "docs/API.md has $n_examples examples"; else
	t_notok "docs/API.md has examples" "only $n_examples"; fi
bad=$(grep -L '^[0-9][0-9][0-9]$' "$T/ex"/*.want)
if [ -z "$bad" ]; then t_ok "every example states its status"; else
	t_notok "every example states its status" "$bad"; fi
vars=$(cat "$T/ex"/*.sh | grep -o '\$[A-Z_][A-Z_]*' | sort -u | tr '\n' ' ')
undoc=""
for v in $vars; do
	case $v in '$NODE' | '$TOKEN' | '$VELDWERKER' | '$BEHEERDER' | '$SIGNAAL') ;;
	*) undoc="$undoc $v" ;; esac
done
if [ -z "$undoc" ]; then t_ok "examples use only the documented variables"; else
	t_notok "examples use only the documented variables" "$undoc"; fi
if grep -h 'curl' "$T/ex"/*.sh | grep -q 'http[s]*://'; then
	t_notok "examples reach the node only through \$NODE"; else
	t_ok "examples reach the node only through \$NODE"; fi

# --- a node to run them against --------------------------------------------
if [ -n "${API_URL:-}" ]; then
	NODE=$API_URL
	TOKEN=${API_TOKEN:?}
	VELDWERKER=${API_VELDWERKER:?}
	BEHEERDER=${API_BEHEERDER:?}
else
	N=$T/node
	"$SIGNAALCTL" init --id kortrijk --naam "Stad Kortrijk (test)" "$N" >/dev/null || exit 1
	t_port port || exit 1
	t_http_node "$N" "$port"
	TOKEN=$("$SIGNAALCTL" -d "$N" token new --rol coordinator --organisatie "Stad Kortrijk (test)" --persoon an 2>/dev/null)
	VELDWERKER=$("$SIGNAALCTL" -d "$N" token new --rol veldwerker --organisatie "CLB Noord (fictief)" --persoon mw-12 2>/dev/null)
	BEHEERDER=$("$SIGNAALCTL" -d "$N" token new --rol beheerder 2>/dev/null)
	t_spawn "$T/signaald.log" "$SIGNAALD" -d "$N"
	NODE=http://127.0.0.1:$port
	for _ in $(seq 100); do
		curl -s -o /dev/null "$NODE/healthz" && break
		sleep 0.1
	done
fi
export NODE TOKEN VELDWERKER BEHEERDER
SIGNAAL=00000000000000000000000000000000

# Each example runs as written; this curl adds only where the body and
# the status go.
curl() { command curl -o "$T/body" -w '%{http_code}' "$@"; }
for want_file in "$T/ex"/*.want; do
	ex=${want_file%.want}
	want=$(cat "$want_file")
	got=$(. "$ex.sh" 2>"$T/curl.err")
	name="example $(basename "$ex"): $(grep -o 'curl -s[^"]*"\$NODE[^"?]*' "$ex.sh" | head -1 | sed 's/curl -s //; s/"\$NODE//')"
	if [ "$got" = "$want" ]; then t_ok "$name → $want"; else
		t_notok "$name" "got $got, want $want: $(head -c 300 "$T/body")"; fi
	# The first signal captured is $SIGNAAL for the later examples.
	if [ "$got" = 201 ] && grep -q 'api/v1/signals"' "$ex.sh" &&
		[ "$SIGNAAL" = 00000000000000000000000000000000 ]; then
		SIGNAAL=$(grep -o '"id":"[0-9a-f]\{32\}"' "$T/body" | head -1 | cut -d'"' -f4)
	fi
done
t_done
