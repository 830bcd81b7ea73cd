# Helpers for integration tests of a federation on loopback (bash). Source
# tests/lib.sh first, then this file:
#
#   fed_init federatie vvsg gent eeklo      # nodes in $T/NAME, hub first
#   fed_start vvsg; fed_start gent ...      # signaald in the background
#   fed_wait_converged 60 vvsg gent eeklo   # digests equal, or fail
#   fed_stop gent; fed_kill eeklo           # SIGTERM (clean) / SIGKILL
#
# Ports: a block of 100 on 127.0.0.1 reserved for this test (sync from
# BASE, HTTP from BASE+60; FED_HTTP[NAME]; t_port_block in tests/lib.sh), so
# that tests running side by side do not clash. Every daemon started here
# is stopped at exit by lib.sh's cleanup.
FED_PROBE=$BUILD/signaal-probe
FED_IDS=()
declare -A FED_PORT FED_PID FED_HTTP

# A block of ports of this test's own (t_port_block in tests/lib.sh):
# sync from BASE, HTTP from BASE+60.
fed_pick_ports() {
	t_port_block || return 1
	FED_BASE=$T_PORT_BASE
}

# fed_config NAME ROLE PEERS [EXTRA_SYNC_LINES]: the node's config template.
fed_config() {
	local name=$1 role=$2 peers=$3 extra=${4:-}
	cat <<EOF
[node]
id = $name
name = Test $name
role = $role
[store]
synchronous = normal
[federation]
id = $FED_ID
[sync]
listen = tcp://127.0.0.1:${FED_PORT[$name]}
peers = $peers
interval_s = 1
backoff_max_s = 2
timeout_ms = 3000
$extra
[daemon]
state_interval_s = 1
log_level = info
[http]
listen = 127.0.0.1:${FED_HTTP[$name]}
web_dir = $ROOT/web
EOF
}

# fed_node NAME ROLE PEERS [EXTRA]: create the node (not yet a member).
fed_node() {
	local name=$1
	FED_PORT[$name]=$((FED_BASE + ${#FED_IDS[@]}))
	FED_HTTP[$name]=$((FED_BASE + 60 + ${#FED_IDS[@]}))
	FED_IDS+=("$name")
	fed_config "$@" >"$T/$name.tpl"
	"$SIGNAALCTL" init --config "$T/$name.tpl" "$T/$name" >/dev/null
}

# fed_init FEDERATION HUB MEMBER...: the hub (koepel, peers alle) and the
# members (peers koepel), the federation published at the hub, its bundle
# imported everywhere. FED_MEMBER_PEERS overrides the members' peers.
fed_init() {
	FED_ID=$1
	local hub=$2 m
	shift 2
	fed_pick_ports || return 1
	fed_node "$hub" koepel alle
	"$SIGNAALCTL" -d "$T/$hub" federation init \
		--adres "tcp://127.0.0.1:${FED_PORT[$hub]}" >/dev/null || return 1
	for m in "$@"; do
		fed_node "$m" gemeente "${FED_MEMBER_PEERS:-koepel}"
		fed_member_add "$m" || return 1
	done
	"$SIGNAALCTL" -d "$T/$hub" federation publish >/dev/null || return 1
	"$SIGNAALCTL" -d "$T/$hub" federation export "$T/federatie.bundle" \
		>/dev/null || return 1
	for m in "$@"; do fed_join "$m" || return 1; done
}

# fed_member_add NAME: a draft roster entry at the hub (FED_IDS[0]).
fed_member_add() {
	"$SIGNAALCTL" -d "$T/${FED_IDS[0]}" federation member add "$1" \
		--naam "Test $1" --sleutel "$T/$1/keys/node.pub" \
		--adres "tcp://127.0.0.1:${FED_PORT[$1]}" >/dev/null
}

# The anchor and the bundle, as a new member gets them.
fed_join() {
	cp "$T/${FED_IDS[0]}/keys/federation.pub" "$T/$1/keys/"
	"$SIGNAALCTL" -d "$T/$1" federation import "$T/federatie.bundle" >/dev/null
}

fed_start() {
	t_spawn "$T/$1.log" "$SIGNAALD" -d "$T/$1"
	FED_PID[$1]=$T_LAST_PID
}

# fed_wait_started NAME: until NAME's log has its start line, at most
# 10 s, or until it exited. A SIGTERM before signaald installed its
# handlers (a node stopped right after its start) would kill it with
# 143: stop a node only after this.
fed_wait_started() {
	local pid=${FED_PID[$1]}
	for _ in $(seq 50); do
		grep -q "event=started" "$T/$1.log" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
}

# fed_stop NAME: SIGTERM and wait (fails the test if it does not stop
# cleanly with exit 0).
fed_stop() {
	local pid=${FED_PID[$1]} rc
	fed_wait_started "$1"
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	if [ "$rc" != 0 ]; then t_notok "$1 stops cleanly" "exit $rc"; fi
	FED_PID[$1]=
}

fed_kill() {
	kill -KILL "${FED_PID[$1]}" 2>/dev/null
	wait "${FED_PID[$1]}" 2>/dev/null
	FED_PID[$1]=
}

fed_digest() {
	"$SIGNAALCTL" -d "$T/$1" sync digest | cut -d' ' -f1
}

fed_docs() {
	"$SIGNAALCTL" -d "$T/$1" sync digest | sed 's/.*docs=//'
}

# fed_wait_converged SECONDS NAME...: 0 once every node has the same
# digest (and it stays so for a moment), 1 on timeout.
fed_wait_converged() {
	local limit=$1 first same n d
	shift
	for _ in $(seq $((limit * 5))); do
		same=1
		first=$(fed_digest "$1")
		for n in "$@"; do
			d=$(fed_digest "$n")
			[ "$d" = "$first" ] || { same=0; break; }
		done
		[ "$same" = 1 ] && return 0
		sleep 0.2
	done
	for n in "$@"; do echo "# $n $("$SIGNAALCTL" -d "$T/$n" sync digest)"; done
	return 1
}

# fed_wait SECONDS CMD...: 0 once CMD succeeds.
fed_wait() {
	local limit=$1
	shift
	for _ in $(seq $((limit * 5))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# fed_metric NAME PATTERN: the sum of the node's metric lines matching
# PATTERN (grep -E on the whole line), from DIR/signaald.prom.
fed_metric() {
	grep -E "^$2" "$T/$1/signaald.prom" 2>/dev/null |
		awk '{s += $NF} END {print s + 0}'
}

fed_fill() {
	"$FED_PROBE" fill --dir "$T/$1" --count "$2" --salt "${3:-0}" >/dev/null
}

# Secure aggregation tests: a few signals at NODE in two months (N + 4
# each, different per N); [secagg] on (or as $2 says) with three
# municipalities at least and three sync intervals per phase.
fed_secagg_signals() { # N NODE MONTH1 MONTH2
	local n=$1 csv=$T/$2.csv i
	echo "geregistreerd_op;vastgesteld_op;thema;probleemtype;leeftijd;doelgroep;sector;organisatie;melder;aantal_personen;ernst;wijk;omschrijving" >"$csv"
	for i in $(seq 1 $((n + 4))); do
		printf '%s-%02d;;wonen;;25-64;;ocmw;OCMW;;1;2;;\n' "$3" $((1 + i % 20)) >>"$csv"
		printf '%s-%02d;;energie;;65plus;;caw;CAW;;2;2;;\n' "$4" $((1 + i % 20)) >>"$csv"
	done
	"$SIGNAALCTL" -d "$T/$2" signal import "$csv" >/dev/null
}
fed_secagg_config() { # NODE [ja|nee]
	sed -i -e "s/^enabled = nee/enabled = ${2:-ja}/" \
		-e "s/^min_parties = .*/min_parties = 3/" \
		-e "s/^wait_intervals = .*/wait_intervals = 3/" "$T/$1/signaal.ini"
}
