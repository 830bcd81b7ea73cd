#!/usr/bin/env bash
# signaald's HTTP server, live with curl (docs/API.md's examples run in
# api.sh; this is what they do not show): the [http] config, every class
# of bad input refused with a Dutch message, counted in /metrics and
# storing nothing; bodies over the limit refused unread; chunked bodies;
# HEAD; the pages with their headers; many clients at once; /metrics
# parsed by a strict parser (tests/prom_parse.py) and checked against
# what happened; a clean stop with requests in flight.
. "$(dirname "$0")/../lib.sh"
PARSE=$ROOT/tests/prom_parse.py

# --- the parser itself refuses what the format does not allow ----------
printf '# TYPE a_total counter\na_total 1\n' | python3 "$PARSE" - 'a_total == 1' >/dev/null &&
	t_ok "the parser reads a counter" || t_notok "the parser reads a counter"
for bad in 'a_total 1\n' '# TYPE a_total counter\na_total 1\na_total 2\n' \
	'# TYPE a gauge\na{x="1} 1\n' '# TYPE a gauge\na one\n' \
	'# TYPE a_total counter\na_total -1\n' '# TYPE a gauge\na{x="\\q"} 1\n' \
	'# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n' '# TYPE a gauge\na 1'; do
	if printf "$bad" | python3 "$PARSE" - >/dev/null; then
		t_notok "the parser refuses '$bad'"
	else t_ok "the parser refuses $(printf '%q' "$bad")"; fi
done

# --- a node --------------------------------------------------------------
N=$T/node
"$SIGNAALCTL" init --id kortrijk --naam "Stad Kortrijk (test)" "$N" >/dev/null || exit 1
t_port port || exit 1
set_http() { # LISTEN WEB_DIR
	sed -i "/^\[http\]/,\$ { s|^listen = .*|listen = $1|; s|^web_dir = .*|web_dir = $2| }" "$N/signaal.ini"
}

# Config: a bad address names the line and the key; a web_dir without
# the pages stops the start; both exit 78 (a restart will not help).
set_http "127.0.0.1:99999" "$ROOT/web"
t_expect_fail "[http] listen with a bad port: exit 78" 78 "$SIGNAALD" -d "$N" --check
t_grep "the error names the line and the key" "regel [0-9]+: \[http\] listen: verwacht HOST:POORT" "$T/last.out"
set_http "127.0.0.1:$port" "$T/nowhere"
t_expect_fail "[http] web_dir without the pages: exit 78" 78 "$SIGNAALD" -d "$N"
t_grep "the error names web_dir" "\[http\] web_dir" "$T/last.out"
# A busy port: exit 1, naming the address.
python3 -c "
import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1',$port)); s.listen(1); open('$T/busy','w').close(); time.sleep(30)" &
LPID=$!
for _ in $(seq 50); do [ -f "$T/busy" ] && break; sleep 0.1; done
set_http "http://127.0.0.1:$port" "$ROOT/web"
t_expect_fail "a busy HTTP port: exit 1" 1 "$SIGNAALD" -d "$N"
t_grep "the error names the address" "\[http\] listen: kan niet luisteren op http://127.0.0.1:$port" "$T/last.out"
kill "$LPID"
wait "$LPID" 2>/dev/null
port=$((port + 1))
set_http "127.0.0.1:$port" "$ROOT/web"

VW=$("$SIGNAALCTL" -d "$N" token new --rol veldwerker --organisatie "CLB Noord (fictief)" --persoon mw-12 2>/dev/null)
CO=$("$SIGNAALCTL" -d "$N" token new --rol coordinator --organisatie "Stad Kortrijk (test)" 2>/dev/null)
t_spawn "$T/signaald.log" "$SIGNAALD" -d "$N"
PID=$T_LAST_PID
NODE=http://127.0.0.1:$port
for _ in $(seq 100); do curl -s -o /dev/null "$NODE/healthz" && break; sleep 0.1; done
t_check "/healthz answers" curl -sf "$NODE/healthz"
t_grep "it names the node" '"knooppunt":"kortrijk"' "$T/last.out"
t_check "/readyz: ready without a federation" curl -sf "$NODE/readyz"
t_grep "readyz tells the store is open" '"databank":\{"ok":true' "$T/last.out"

count() { sqlite3 "$N/signaal.db" 'SELECT count(*) FROM signal'; }
good='{"thema":["wonen"],"leeftijd":"18-24","sector":"caw","aantal_personen":2}'
# req NAME STATUS CODE ARGS...: one request; the status and the error
# code must be as given, and the message Dutch (refusals only).
req() {
	local name=$1 want=$2 code=$3; shift 3
	local got
	got=$(curl -s -o "$T/body" -w '%{http_code}' "$@" 2>/dev/null)
	if [ "$got" != "$want" ]; then
		t_notok "$name → $want" "got $got: $(head -c 200 "$T/body")"
		return
	fi
	if [ "$code" != - ] && ! grep -q "\"code\":\"$code\"" "$T/body"; then
		t_notok "$name → $want $code" "$(head -c 200 "$T/body")"
		return
	fi
	if [ "$code" != - ] && ! grep -q '"melding":"[A-Z]' "$T/body"; then
		t_notok "$name: a message for people" "$(head -c 200 "$T/body")"
		return
	fi
	t_ok "$name → $want$([ "$code" = - ] || echo " $code")"
}
post() { curl -s -X POST "$NODE/api/v1/signals" -H "Content-Type: application/json" "$@"; }
AUTH=(-H "Authorization: Bearer $VW")
JSON=(-H "Content-Type: application/json")

before=$(count)
req "capture" 201 - -X POST "$NODE/api/v1/signals" "${AUTH[@]}" "${JSON[@]}" -d "$good"
t_equal "the signal is in the store" "$(count)" $((before + 1))
t_equal "with what was sent" "$(sqlite3 "$N/signaal.db" "SELECT persons FROM signal ORDER BY id DESC LIMIT 1")" 2
before=$(count)
req "malformed JSON" 400 bad_json -X POST "$NODE/api/v1/signals" "${AUTH[@]}" "${JSON[@]}" -d '{"thema":'
req "an empty body" 400 bad_json -X POST "$NODE/api/v1/signals" "${AUTH[@]}" "${JSON[@]}"
req "an array, not an object" 400 wrong_type -X POST "$NODE/api/v1/signals" "${AUTH[@]}" "${JSON[@]}" -d '[1]'
req "a wrong type" 400 wrong_type -X POST "$NODE/api/v1/signals" "${AUTH[@]}" "${JSON[@]}" \
	-d '{"thema":["wonen"],"leeftijd":"18-24","sector":"caw","aantal_personen":"twee"}'
req "an unknown field" 400 unknown_field -X POST "$NODE/api/v1/signals" "${AUTH[@]}" "${JSON[@]}" \
	-d '{"thema":["wonen"],"leeftijd":"18-24","sector":"caw","extra":1}'
req "an unknown code" 422 unknown_code -X POST "$NODE/api/v1/signals" "${AUTH[@]}" "${JSON[@]}" \
	-d '{"thema":["nope"],"leeftijd":"18-24","sector":"caw"}'
req "a missing field" 422 missing_field -X POST "$NODE/api/v1/signals" "${AUTH[@]}" "${JSON[@]}" \
	-d '{"thema":["wonen"],"sector":"caw"}'
req "a value out of range" 422 invalid_value -X POST "$NODE/api/v1/signals" "${AUTH[@]}" "${JSON[@]}" \
	-d '{"thema":["wonen"],"leeftijd":"18-24","sector":"caw","ernst":9}'
req "not JSON" 415 unsupported_media_type -X POST "$NODE/api/v1/signals" "${AUTH[@]}" \
	-H "Content-Type: text/plain" -d "$good"
req "no token" 401 unauthenticated -X POST "$NODE/api/v1/signals" "${JSON[@]}" -d "$good"
req "a wrong token" 401 invalid_token -X POST "$NODE/api/v1/signals" "${JSON[@]}" \
	-H "Authorization: Bearer lst1_geen-echt-token" -d "$good"
req "a wrong role" 403 forbidden "$NODE/api/v1/dossiers" "${AUTH[@]}"
req "another organisation" 403 forbidden -X POST "$NODE/api/v1/signals" "${AUTH[@]}" "${JSON[@]}" \
	-d '{"thema":["wonen"],"leeftijd":"18-24","sector":"caw","organisatie":"Iemand anders"}'
# Over the limit by a byte: refused unread (413) and the connection
# closed, since the body is still on it.
head -c $((64 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$T/big"
req "a body one byte too large" 413 too_large -X POST "$NODE/api/v1/signals" "${AUTH[@]}" "${JSON[@]}" --data-binary @"$T/big"
curl -s -o /dev/null -D "$T/hdr" -X POST "$NODE/api/v1/signals" "${AUTH[@]}" "${JSON[@]}" --data-binary @"$T/big"
t_grep "and the connection is closed" "^Connection: close" "$T/hdr"
# A huge declared length is not read either (the client sends none of it).
python3 - "$port" "$VW" >"$T/huge" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(("POST /api/v1/signals HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
           "Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n"
           % sys.argv[2]).encode())
print(s.recv(4096).decode("latin-1").split("\r\n")[0])
EOF
t_grep "a declared gigabyte: 413 without reading it" "^HTTP/1.1 413" "$T/huge"
python3 - "$port" >"$T/badlen" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"POST /api/v1/signals HTTP/1.1\r\nHost: x\r\nContent-Length: twee\r\n\r\n")
print(s.recv(4096).decode("latin-1"))
EOF
t_grep "a Content-Length that is not a number: 400" "^HTTP/1.1 400" "$T/badlen"
# libmicrohttpd answers it itself (its own page) and closes.
head -c 64 /dev/zero | tr '\0' ' ' >"$T/small"
req "a chunked body" 411 length_required -X POST "$NODE/api/v1/signals" "${AUTH[@]}" "${JSON[@]}" \
	-H "Transfer-Encoding: chunked" --data-binary @"$T/small"
t_equal "nothing of it was stored" "$(count)" "$before"

req "an unknown route" 404 not_found "$NODE/api/v2/signals" "${AUTH[@]}"
req "a wrong method" 405 method_not_allowed -X PUT "$NODE/api/v1/signals" "${AUTH[@]}"
req "an unknown parameter" 400 unknown_parameter "$NODE/api/v1/signals?foo=1" "${AUTH[@]}"
req "a bad parameter" 400 bad_parameter "$NODE/api/v1/signals?limiet=0" "${AUTH[@]}"
req "a query too long" 400 bad_parameter "$NODE/api/v1/signals?limiet=5&thema=$(head -c 2000 /dev/zero | tr '\0' a)" "${AUTH[@]}"
req "a path too long" 404 not_found "$NODE/$(head -c 300 /dev/zero | tr '\0' a)" "${AUTH[@]}"
req "every route: me" 200 - "$NODE/api/v1/me" "${AUTH[@]}"
req "every route: taxonomy" 200 - "$NODE/api/v1/taxonomy" "${AUTH[@]}"
req "every route: trends" 200 - "$NODE/api/v1/trends" -H "Authorization: Bearer $CO"
req "every route: federation" 200 - "$NODE/api/v1/federation" -H "Authorization: Bearer $CO"
curl -s -I "$NODE/healthz" >"$T/head"
t_grep "HEAD answers as GET, without a body" "^HTTP/1.1 200" "$T/head"
for page in / /invoer /dashboard /federatie; do
	curl -s -D "$T/hdr" -o "$T/page" "$NODE$page"
	t_grep "page $page is served" "^HTTP/1.1 200" "$T/hdr"
	t_grep "page $page has its Content-Security-Policy" "^Content-Security-Policy: default-src 'none'" "$T/hdr"
done

# A page again with its ETag: 304 and no body (an empty body is a case
# of its own for nng).
etag=$(sed -n 's/^ETag: \(.*\)\r$/\1/p' "$T/hdr")
rm -f "$T/page"
code=$(curl -s -o "$T/page" -w '%{http_code}' -H "If-None-Match: $etag" "$NODE/federatie")
t_equal "a page unchanged since its ETag: 304" "$code" 304
t_equal "without a body" "$(cat "$T/page" 2>/dev/null | wc -c)" 0

# --- many clients at once ------------------------------------------------
before=$(count)
CPIDS=()
for i in $(seq 24); do
	curl -s -o /dev/null -w '%{http_code}\n' -X POST "$NODE/api/v1/signals" "${AUTH[@]}" "${JSON[@]}" -d "$good" >"$T/par.$i" &
	CPIDS+=($!)
done
wait "${CPIDS[@]}"
cat "$T"/par.* >"$T/par"
t_equal "24 clients at once: all stored" "$(grep -c '^201$' "$T/par")" 24
t_equal "24 signals more in the store" "$(count)" $((before + 24))

# --- the metrics, against what happened ---------------------------------
curl -s -D "$T/mhdr" "$NODE/metrics" >"$T/metrics"
t_grep "/metrics is Prometheus text" "^Content-Type: text/plain; version=0.0.4" "$T/mhdr"
python3 "$PARSE" "$T/metrics" \
	'signaal_signals_captured_total == 25' \
	'signaal_http_requests_total{route="signals_create",status="201"} == 25' \
	'signaal_http_rejected_total{route="signals_create",code="bad_json"} == 2' \
	'signaal_http_rejected_total{route="signals_create",code="wrong_type"} == 2' \
	'signaal_http_rejected_total{route="signals_create",code="unknown_field"} == 1' \
	'signaal_http_rejected_total{route="signals_create",code="unknown_code"} == 1' \
	'signaal_http_rejected_total{route="signals_create",code="too_large"} == 3' \
	'signaal_http_rejected_total{route="signals_create",code="unsupported_media_type"} == 1' \
	'signaal_http_rejected_total{route="signals_create",code="unauthenticated"} == 1' \
	'signaal_http_rejected_total{route="signals_create",code="invalid_token"} == 1' \
	'signaal_http_rejected_total{route="dossiers_list",code="forbidden"} == 1' \
	'signaal_http_requests_total{route="signals_create",status="413"} == 3' \
	'signaal_http_requests_total{route="unknown",status="404"} >= 2' \
	'signaal_http_requests_total{route="page",status="200"} == 4' \
	'signaal_http_requests_total{route="healthz",status="200"} >= 2' \
	'signaal_info{node="kortrijk",role="gemeente"} == 1' \
	'signaal_store_bytes > 0' \
	'signaal_process_resident_bytes > 1000000' \
	'signaal_uptime_seconds >= 0' \
	'signaal_forks_unresolved exists' \
	'signaal_forks_detected_total == 0' \
	'signaal_http_refused_total{reason="length_required"} == 1' \
	'signaal_http_refused_total{reason="bad_length"} == 1' >"$T/parse.out"
cat "$T/parse.out"

# --- a clean stop with requests in flight --------------------------------
# Three clients hold requests open: two mid-body, one mid-headers.
python3 - "$port" "$VW" >"$T/inflight" <<'EOF' &
import socket, sys, time
ss = []
for part in ['{"thema":', '{"the']:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(("POST /api/v1/signals HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n%s"
               % (sys.argv[2], part)).encode())
    ss.append(s)
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
ss.append(s)
print("holding", flush=True)
time.sleep(8)
EOF
HOLD=$!
for _ in $(seq 50); do grep -q holding "$T/inflight" && break; sleep 0.1; done
sleep 0.3
t0=$(date +%s%N)
kill -TERM "$PID"
wait "$PID"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
t_equal "SIGTERM with requests in flight: exit 0" "$rc" 0
if [ "$ms" -lt 5000 ]; then t_ok "it stops at once ($ms ms), not after the body timeout"; else
	t_notok "it stops at once" "$ms ms"; fi
t_check "no handle was left open" bash -c "! grep -q handle_left_open '$T/signaald.log'"
t_grep "the stop is logged" "event=stopped" "$T/signaald.log"
kill "$HOLD" 2>/dev/null
wait "$HOLD" 2>/dev/null

# --- the server's limits ([http]) ----------------------------------------
# Small limits so that floods stay small: 16 connections, 10 per
# address, 2 s for the headers and the body, 5 s of silence between
# requests.
sed -i "/^\[http\]/,\$ {
	s|^max_connections = .*|max_connections = 16|
	s|^max_per_client = .*|max_per_client = 10|
	s|^header_timeout_s = .*|header_timeout_s = 2|
	s|^body_timeout_s = .*|body_timeout_s = 2|
	s|^idle_timeout_s = .*|idle_timeout_s = 5|
}" "$N/signaal.ini"
grep -q '^max_connections = 16' "$N/signaal.ini" || printf 'max_connections = 16\nmax_per_client = 10\nheader_timeout_s = 2\nbody_timeout_s = 2\nidle_timeout_s = 5\n' >>"$N/signaal.ini"
t_spawn "$T/signaald2.log" "$SIGNAALD" -d "$N"
PID=$T_LAST_PID
for _ in $(seq 100); do curl -s -o /dev/null "$NODE/healthz" && break; sleep 0.1; done
t_grep "the limits in force are logged" "event=listening .*max_connections=16 max_per_client=10" "$T/signaald2.log"

# Headers: 8 KB pass, 40 KB get 431 (header_max_bytes 16384).
req "headers of 8 KB" 200 - "$NODE/healthz" -H "X-Pad: $(head -c 8000 /dev/zero | tr '\0' a)"
code=$(curl -s -o /dev/null -w '%{http_code}' "$NODE/healthz" -H "X-Pad: $(head -c 40000 /dev/zero | tr '\0' a)")
t_equal "headers of 40 KB: 431" "$code" 431
curl -s -D "$T/hdr431" -o /dev/null "$NODE/healthz" -H "X-Pad: $(head -c 40000 /dev/zero | tr '\0' a)"
t_grep "with its status text" "^HTTP/1.1 431 Request Header Fields Too Large" "$T/hdr431"
# The limit is header_max_bytes exactly (16384), not where the server
# library's memory ends: the request line and headers of a curl GET with
# a 16,300-byte header are 16,3xx bytes: 200; with 16,400: 431, with a
# Dutch JSON body.
pad() { head -c "$1" /dev/zero | tr '\0' a; }
code=$(curl -s -o /dev/null -w '%{http_code}' "$NODE/healthz" -H "X-Pad: $(pad 16250)")
t_equal "headers just under header_max_bytes: 200" "$code" 200
code=$(curl -s -o "$T/b431" -w '%{http_code}' "$NODE/healthz" -H "X-Pad: $(pad 16400)")
t_equal "headers just over header_max_bytes: 431" "$code" 431
t_grep "with a Dutch message" '^\{"code":"header_too_large","melding":"De aanvraagregel' "$T/b431"
code=$(curl -s -o /dev/null -w '%{http_code}' "$NODE/healthz" -H "X-Pad: $(pad 19000)")
t_equal "headers of 19 KB (within the library's memory): 431" "$code" 431
curl -s -D "$T/hdr422" -o /dev/null -X POST "$NODE/api/v1/signals" "${AUTH[@]}" "${JSON[@]}" \
	-d '{"thema":["nope"],"leeftijd":"18-24","sector":"caw"}'
t_grep "422 has its status text" "^HTTP/1.1 422 Unprocessable" "$T/hdr422"

# Transfer-Encoding, strictly: any spelling is refused before a byte of
# the body is read, a blank before the colon is a malformed header, and
# nothing smuggled behind it is answered or stored.
before=$(count)
PYTHONPATH=$ROOT/tests python3 - "$port" "$VW" >"$T/te" <<'EOF2'
import sys
from raw_http import exchange
port, tok = int(sys.argv[1]), sys.argv[2]
body = '{"thema":["wonen"],"leeftijd":"18-24","sector":"caw"}'
smuggled = ("POST /api/v1/signals HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (tok, len(body), body))
chunk = "%x\r\n%s\r\n0\r\n\r\n" % (len(smuggled), smuggled)
cases = [
    ("te_space", "Transfer-Encoding : chunked\r\n", chunk),
    ("te_lower", "transfer-encoding: chunked\r\n", chunk),
    ("te_and_cl", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", chunk),
    ("te_gzip", "Transfer-Encoding: gzip, chunked\r\n", chunk),
    ("te_badsize", "Transfer-Encoding: chunked\r\n", "zz\r\nabc\r\n0\r\n\r\n"),
    ("te_tab", "Transfer-Encoding:\tchunked\r\n", chunk),
    ("cl_twice", "Content-Length: 0\r\nContent-Length: %d\r\n" % len(smuggled), smuggled),
]
for name, hdr, payload in cases:
    text = exchange(port, ("POST /api/v1/signals HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                           "Content-Type: application/json\r\n%s\r\n%s" % (tok, hdr, payload)).encode())
    print(name, text.split("\r\n")[0], "responses=%d" % text.count("HTTP/1.1 "))
EOF2
for c in te_lower te_and_cl te_gzip te_badsize te_tab; do
	t_grep "chunked ($c): 411, one response" "^$c HTTP/1.1 411 .* responses=1\$" "$T/te"
done
t_grep "Transfer-Encoding with a blank before the colon: 400, one response" "^te_space HTTP/1.1 400 .* responses=1\$" "$T/te"
t_grep "two Content-Lengths: 400, one response" "^cl_twice HTTP/1.1 400 .* responses=1\$" "$T/te"
t_equal "nothing smuggled was stored" "$(count)" "$before"

# The headers the API reads come once, their values carry no controls,
# an HTTP/1.1 request has a Host, the address no blank: each refused
# with one 400 (a single status line: libmicrohttpd's own refusal of a
# missing Host sent its status line and headers twice) and a Dutch JSON
# body; a capture among them stores nothing.
before=$(count)
PYTHONPATH=$ROOT/tests python3 - "$port" "$VW" >"$T/hdrs" <<'EOF2'
import sys
from raw_http import exchange
port, tok = int(sys.argv[1]), sys.argv[2]
body = '{"thema":["wonen"],"leeftijd":"18-24","sector":"caw"}'
def post(hdrs):
    return ("POST /api/v1/signals HTTP/1.1\r\n%sContent-Type: application/json\r\n"
            "Content-Length: %d\r\n\r\n%s" % (hdrs, len(body), body)).encode()
A = "Authorization: Bearer %s\r\n" % tok
cases = [
    ("host_twice", post("Host: x\r\nHost: y\r\n" + A)),
    ("auth_twice", post("Host: x\r\n" + A + "Authorization: Bearer lst1_x\r\n")),
    ("key_twice", post("Host: x\r\n" + A + "Idempotency-Key: a\r\nidempotency-key: b\r\n")),
    ("ctype_twice", post("Host: x\r\n" + A + "Content-Type: text/plain\r\n")),
    ("cr_in_value", post("Host: x\r\n" + A + "X-A: a\rb\r\n")),
    ("esc_in_value", post("Host: x\r\n" + A + "X-A: a\x1bb\r\n")),
    ("no_host", post(A)),
    ("blank_in_uri", b"GET /api/v1/signals HTTP/1.1 HTTP/1.1\r\nHost: x\r\n\r\n"),
]
for name, data in cases:
    text = exchange(port, data)
    lines = [l for l in text.split("\r\n") if l.startswith("HTTP/1.")]
    print(name, lines[0] if lines else "-", "status_lines=%d" % len(lines),
          "json" if '{"code":"bad_request","melding":"' in text else "nojson")
EOF2
cat "$T/hdrs"
for c in host_twice auth_twice key_twice ctype_twice cr_in_value esc_in_value no_host blank_in_uri; do
	t_grep "$c: 400 once, with a Dutch JSON body" "^$c HTTP/1.1 400 Bad Request status_lines=1 json\$" "$T/hdrs"
done
t_equal "none of them stored a signal" "$(count)" "$before"
code=$(curl -s -o /dev/null -w '%{http_code}' --http1.0 -H 'Host:' "$NODE/healthz")
t_equal "HTTP/1.0 without a Host is still served" "$code" 200

# Slow and silent clients are cut off: a connection that says nothing,
# one that sends its headers a byte every half second, one that stops
# mid-body, one that stays silent after a request (idle).
python3 - "$port" >"$T/slow" <<'EOF2'
import socket, sys, time, threading
port = int(sys.argv[1])
def closed_after(name, send):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    t0 = time.time()
    try:
        send(s)
        s.settimeout(30)
        while s.recv(4096):
            pass
    except (ConnectionResetError, BrokenPipeError):
        pass
    except socket.timeout:
        results[name] = "open"; return
    results[name] = "closed %.1f" % (time.time() - t0)
results = {}
def idle(s): pass
def trickle(s):
    for ch in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40:
        s.send(bytes([ch])); time.sleep(0.5)
def slow_body(s):
    s.sendall(b"POST /api/v1/signals HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"the")
def keepalive(s):
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    s.settimeout(5)
    assert s.recv(4096).startswith(b"HTTP/1.1 200")
ts = [threading.Thread(target=closed_after, args=a) for a in
      [("silent", idle), ("trickle", trickle), ("slow_body", slow_body), ("keepalive", keepalive)]]
for t in ts: t.start()
for t in ts: t.join()
for name in sorted(results): print(name, results[name])
EOF2
cat "$T/slow"
for c in silent trickle slow_body keepalive; do
	secs=$(sed -n "s/^$c closed \([0-9.]*\)$/\1/p" "$T/slow")
	if [ -n "$secs" ] && python3 -c "import sys; sys.exit(not (2.0 <= $secs <= 15))"; then
		t_ok "$c connection closed after its timeout (${secs} s)"
	else t_notok "$c connection closed after its timeout" "$(grep "^$c" "$T/slow")"; fi
done

# A flood of idle connections against the cap: 10 from 127.0.0.1 (the
# per-address limit), 6 more from 127.0.0.2 (the cap); further ones are
# closed at once, new requests fail while the cap is full and are
# served again once the idle ones are cut off (bounded: 30 sockets).
python3 - "$port" >"$T/flood" <<'EOF2'
import socket, sys, time, subprocess
port = int(sys.argv[1])
def conn(src):
    s = socket.socket(); s.bind((src, 0)); s.settimeout(5)
    s.connect(("127.0.0.1", port)); return s
def refused(s):
    s.settimeout(1.5)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True
held = [conn("127.0.0.1") for _ in range(10)]
extra = conn("127.0.0.1")
held += [conn("127.0.0.2") for _ in range(6)]
over = [conn("127.0.0.3") for _ in range(4)]
code = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "1",
                       "http://127.0.0.1:%d/healthz" % port], capture_output=True, text=True).stdout
print("while_full", code)
print("per_client_refused", refused(extra))
print("cap_refused", sum(refused(s) for s in over))
s = held[0]; s.settimeout(0.2)
try:
    print("held_open", s.recv(1) != b"")
except socket.timeout:
    print("held_open", True)
t0 = time.time()
while time.time() - t0 < 20:
    code = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3",
                           "http://127.0.0.1:%d/healthz" % port], capture_output=True, text=True).stdout
    if code == "200":
        break
    time.sleep(0.3)
print("after", code, "%.1f" % (time.time() - t0))
EOF2
cat "$T/flood"
t_grep "the 11th connection from one address is closed at once" "^per_client_refused True" "$T/flood"
t_grep "connections over the cap are closed at once" "^cap_refused 4" "$T/flood"
t_grep "the held ones stay open" "^held_open True" "$T/flood"
t_check "a request while the cap is full is refused" bash -c "! grep -q '^while_full 200' '$T/flood'"
t_grep "once the idle ones are cut off, requests are served again" "^after 200 " "$T/flood"
# The idle connections cut off above are counted when the server's
# sweeper and the state tick have seen them: wait for that (bounded).
for _ in $(seq 50); do
	curl -s "$NODE/metrics" >"$T/metrics2"
	python3 "$PARSE" "$T/metrics2" 'signaal_http_refused_total{reason="header_timeout"} >= 18' >/dev/null && break
	sleep 0.2
done
python3 "$PARSE" "$T/metrics2" \
	'signaal_http_max_connections == 16' \
	'signaal_http_connections >= 1' \
	'signaal_http_refused_total{reason="cap"} >= 5' \
	'signaal_http_refused_total{reason="per_client"} >= 1' \
	'signaal_http_refused_total{reason="header_timeout"} >= 18' \
	'signaal_http_refused_total{reason="body_timeout"} == 1' \
	'signaal_http_refused_total{reason="header_too_large"} == 4' \
	'signaal_http_refused_total{reason="bad_request"} >= 9' \
	'signaal_http_refused_total{reason="length_required"} == 5' >"$T/parse2.out"
cat "$T/parse2.out"
t_grep "refusals are logged with a count" "event=refused reason=[a-z_]+ count=[0-9]+ total=" "$T/signaald2.log"
kill -TERM "$PID"
wait "$PID"
t_equal "and it stops cleanly" "$?" 0

# At the descriptor limit: max_connections is lowered to what
# RLIMIT_NOFILE leaves, a flood over it is refused without spinning.
sed -i "/^\[http\]/,\$ s|^max_connections = .*|max_connections = 4096|; /^\[http\]/,\$ s|^max_per_client = .*|max_per_client = 4096|" "$N/signaal.ini"
t_spawn "$T/signaald3.log" bash -c "ulimit -n 200 && exec '$SIGNAALD' -d '$N'"
PID=$T_LAST_PID
for _ in $(seq 100); do curl -s -o /dev/null "$NODE/healthz" && break; sleep 0.1; done
t_grep "max_connections lowered to the descriptor limit" "event=max_connections_lowered configured=4096 fd_budget=72 max_connections=72" "$T/signaald3.log"
python3 - "$port" "$PID" >"$T/fdflood" <<'EOF2'
import socket, sys, time, os
port, pid = int(sys.argv[1]), sys.argv[2]
def cpu():
    f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
held = []
for _ in range(150):
    try:
        held.append(socket.create_connection(("127.0.0.1", port), timeout=2))
    except OSError:
        pass
c0, t0 = cpu(), time.time()
time.sleep(2)
print("cpu_share %.2f" % ((cpu() - c0) / (time.time() - t0)))
EOF2
cat "$T/fdflood"
share=$(sed -n 's/^cpu_share //p' "$T/fdflood")
if [ -n "$share" ] && python3 -c "import sys; sys.exit(not ($share < 0.3))"; then
	t_ok "saturated, signaald does not spin (cpu share $share)"
else t_notok "saturated, signaald does not spin" "$(cat "$T/fdflood")"; fi
t_check "it still answers once the flood is gone" curl -sf --max-time 10 "$NODE/healthz"
kill -TERM "$PID"
wait "$PID"

# While it stops: a capture holds the writer (the store is locked by
# another process), SIGTERM comes, and a request that arrives meanwhile
# is answered 503 "stopping" with Retry-After, like every 503.
t_spawn "$T/signaald4.log" "$SIGNAALD" -d "$N"
PID=$T_LAST_PID
for _ in $(seq 100); do curl -s -o /dev/null "$NODE/healthz" && break; sleep 0.1; done
python3 - "$port" "$VW" "$N/signaal.db" "$PID" >"$T/stopping" <<'EOF2'
import http.client, os, signal, sqlite3, sys, threading, time
port, tok, db, pid = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
lock = sqlite3.connect(db, isolation_level=None, timeout=5)
lock.execute("BEGIN IMMEDIATE")
def capture():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    c.request("POST", "/api/v1/signals", '{"thema":["wonen"],"leeftijd":"18-24","sector":"caw"}',
              {"Authorization": "Bearer " + tok, "Content-Type": "application/json"})
    r = c.getresponse(); r.read()
    print("capture", r.status)
t = threading.Thread(target=capture); t.start()
time.sleep(0.5)
os.kill(pid, signal.SIGTERM)
time.sleep(0.5)
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
c.request("GET", "/api/v1/me", headers={"Authorization": "Bearer " + tok})
r = c.getresponse(); body = r.read().decode()
print("meanwhile", r.status, "retry_after=%s" % r.getheader("Retry-After"), body)
lock.execute("ROLLBACK")
t.join()
EOF2
cat "$T/stopping"
t_grep "a request while it stops: 503 stopping with Retry-After" \
	'^meanwhile 503 retry_after=2 \{"code":"stopping"' "$T/stopping"
wait "$PID"
t_equal "and it stops cleanly" "$?" 0
t_done
