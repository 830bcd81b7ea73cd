#!/usr/bin/env bash
# The demo federation (`make demo`): the ten pilot municipalities and the
# association as eleven signaald processes on 127.0.0.1, each with its
# own store and two years of synthetic signals.
#
#  1. generates two years of invented signals for the ten pilots (sizes
#     follow their population; a rising trend planted in "mentaal
#     welzijn" for 12-17-year-olds in six of them);
#  2. makes eleven nodes in $DEMO_DIR (default demo/, removed and made
#     anew), layout from configs/demo/federation.tsv, and imports the
#     signals;
#  3. sets up the federation at the association: its key, the roster with
#     the eleven members, the disclosure policy and the taxonomy; gives
#     every pilot the federation's public key and documents;
#  4. starts the eleven daemons; each pilot releases the summaries of its
#     closed months itself (once it learned its own feed's head from the
#     association) and the federation converges;
#  5. waits for the association's secure-aggregation rounds (one per
#     released month) and prints, at the association, the
#     cross-municipality table per theme (in how many municipalities,
#     signals as ranges where small counts are suppressed), the federation
#     totals next to the sum of ranges they replace, and each node's
#     status;
#  6. stops the daemons cleanly — or, with DEMO_KEEP=1, leaves them
#     running and says how to look at them and how to stop them.
#
# Environment: DEMO_DIR (demo), DEMO_PORT (first port, default 7400; the
# demo uses 11 ports from there), DEMO_HTTP_PORT (the first HTTP port,
# default 8080; each node serves its pages and API on its own port from
# there), DEMO_KEEP (0), BUILD (build).
# Nothing leaves the machine: every address is 127.0.0.1.
set -euo pipefail
# (pipefail: never cut a command's output with head, which can kill it
# with SIGPIPE and so the demo; sed -n reads to the end.)
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
CTL=$BUILD/signaalctl
DAEMON=$BUILD/signaald
GEN=$BUILD/gen-signals
DEMO_DIR=${DEMO_DIR:-demo}
DEMO_PORT=${DEMO_PORT:-7400}
DEMO_HTTP_PORT=${DEMO_HTTP_PORT:-8080}
DEMO_KEEP=${DEMO_KEEP:-0}
LAYOUT=configs/demo/federation.tsv
export SIGNAAL_USER=demo

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }
t0=$(now)
step() { printf '\n== %s (%s s)\n' "$*" "$(since "$t0")"; }
die() { echo "demo: $*" >&2; exit 1; }

for p in "$CTL" "$DAEMON" "$GEN"; do
	[ -x "$p" ] || die "$p ontbreekt: eerst 'make'"
done

if [ "${1:-}" = stop ]; then
	# Stop a federation left running with DEMO_KEEP=1.
	for f in "$DEMO_DIR"/*/signaald.pid; do
		[ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null && rm -f "$f"
	done
	echo "demo gestopt"
	exit 0
fi

mapfile -t IDS < <(grep -v '^#' "$LAYOUT" | tail -n +2 | cut -f1)
declare -A NAME ROLE PORT HTTP
while IFS=$'\t' read -r id name role port; do
	NAME[$id]=$name ROLE[$id]=$role PORT[$id]=$((DEMO_PORT + port))
	HTTP[$id]=$((DEMO_HTTP_PORT + port))
done < <(grep -v '^#' "$LAYOUT" | tail -n +2)
HUB=${IDS[0]}
PILOTS=("${IDS[@]:1}")

for id in "${IDS[@]}"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/${PORT[$id]}") 2>/dev/null; then
		die "poort ${PORT[$id]} is bezet; kies een andere met DEMO_PORT"
	fi
	if (exec 3<>"/dev/tcp/127.0.0.1/${HTTP[$id]}") 2>/dev/null; then
		die "poort ${HTTP[$id]} is bezet; kies een andere met DEMO_HTTP_PORT"
	fi
done

PIDS=()
cleanup() {
	local pid
	[ "$DEMO_KEEP" = 1 ] && [ "${demo_done:-0}" = 1 ] && return
	for pid in "${PIDS[@]+"${PIDS[@]}"}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]+"${PIDS[@]}"}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR/data"

# Two years up to the last month, the trend from a year ago.
first=$(date -u -d "$(date -u +%Y-%m-01) -24 months" +%Y-%m)
trend=$(date -u -d "$(date -u +%Y-%m-01) -12 months" +%Y-%m)
step "Twee jaar synthetische signalen maken ($first, 24 maanden)"
"$GEN" --seed 7 --start "$first" --months 24 --rate 2 \
	--trend "thema=mentaal,leeftijd=12-17,vanaf=$trend,groei=40,gemeenten=6" \
	--out-dir "$DEMO_DIR/data" >/dev/null
wc -l "$DEMO_DIR"/data/*.csv | tail -1 | awk '{printf "%d signalen\n", $1 - 10}'

# A node's config: the example config's sections, on loopback, with
# short intervals so that the demo runs in seconds.
node_config() {
	local id=$1 peers=koepel
	[ "${ROLE[$id]}" = koepel ] && peers=alle
	cat <<EOF
[node]
id = $id
name = ${NAME[$id]}
role = ${ROLE[$id]}
[store]
synchronous = normal
[federation]
id = federatie
anchor = keys/federation.pub
[sync]
listen = tcp://127.0.0.1:${PORT[$id]}
peers = $peers
interval_s = 5
backoff_max_s = 10
timeout_ms = 5000
[secagg]
enabled = ja
wait_intervals = 2
[daemon]
state_interval_s = 2
log_level = info
[http]
listen = 127.0.0.1:${HTTP[$id]}
web_dir = $ROOT/web
EOF
}

step "Elf knooppunten maken en de signalen inlezen"
for id in "${IDS[@]}"; do
	node_config "$id" >"$DEMO_DIR/$id.ini"
	"$CTL" init --config "$DEMO_DIR/$id.ini" "$DEMO_DIR/$id" >/dev/null
	rm -f "$DEMO_DIR/$id.ini"
	if [ -f "$DEMO_DIR/data/$id.csv" ]; then
		"$CTL" -d "$DEMO_DIR/$id" signal import "$DEMO_DIR/data/$id.csv" |
			tail -1 | sed "s/^/  $id: /"
	fi
done

step "De federatie opzetten bij de koepel"
"$CTL" -d "$DEMO_DIR/$HUB" federation init \
	--adres "tcp://127.0.0.1:${PORT[$HUB]}" | sed -n 1p
for id in "${PILOTS[@]}"; do
	"$CTL" -d "$DEMO_DIR/$HUB" federation member add "$id" \
		--naam "${NAME[$id]}" --rol gemeente \
		--sleutel "$DEMO_DIR/$id/keys/node.pub" \
		--adres "tcp://127.0.0.1:${PORT[$id]}" >/dev/null
done
"$CTL" -d "$DEMO_DIR/$HUB" federation publish | grep -v Een
"$CTL" -d "$DEMO_DIR/$HUB" federation export "$DEMO_DIR/federatie.bundle" |
	sed -n 1p
for id in "${PILOTS[@]}"; do
	cp "$DEMO_DIR/$HUB/keys/federation.pub" "$DEMO_DIR/$id/keys/"
	"$CTL" -d "$DEMO_DIR/$id" federation import "$DEMO_DIR/federatie.bundle" \
		>/dev/null
done
"$CTL" -d "$DEMO_DIR/$HUB" federation show | sed -n '2,16p'

# What each pilot will release: its due periods under the policy.
declare -A DUE
total_due=0
for id in "${PILOTS[@]}"; do
	DUE[$id]=$("$CTL" -d "$DEMO_DIR/$id" summary due | grep -cE '^[0-9]{4}-[0-9]{2}' || true)
	total_due=$((total_due + DUE[$id]))
done

step "Elf signaald-processen starten; de gemeenten geven $total_due maandsamenvattingen vrij"
t_start=$(now)
for id in "${IDS[@]}"; do
	"$DAEMON" -d "$DEMO_DIR/$id" 2>"$DEMO_DIR/$id/signaald.log" &
	PIDS+=($!)
	echo $! >"$DEMO_DIR/$id/signaald.pid"
done

# Converged: every pilot's summaries (and status) are at the association,
# and every node has the same version-vector digest.
released_at_hub() {
	local id seq
	for id in "${PILOTS[@]}"; do
		seq=$("$CTL" -d "$DEMO_DIR/$HUB" sync vv | awk -v o="$id" '$1 == o {print $2}')
		[ "${seq:-0}" -gt "${DUE[$id]}" ] || return 1
	done
}
# The pilots' feeds (and the federation's) as a node holds them: the
# association's own feed is left out, since its secure-aggregation
# rounds keep adding to it for a while (they are waited for below).
pilot_vv() {
	"$CTL" -d "$DEMO_DIR/$1" sync vv | awk -v hub="$HUB" '$1 != hub'
}
converged() {
	local first id
	released_at_hub || return 1
	first=$(pilot_vv "$HUB")
	for id in "${PILOTS[@]}"; do
		[ "$(pilot_vv "$id")" = "$first" ] || return 1
	done
}
deadline=$(awk -v t="$(now)" 'BEGIN {printf "%.3f", t + 180}')
until converged; do
	for pid in "${PIDS[@]}"; do
		kill -0 "$pid" 2>/dev/null || die "een signaald stopte; zie $DEMO_DIR/*/signaald.log"
	done
	if awk -v t="$(now)" -v d="$deadline" 'BEGIN {exit !(t > d)}'; then
		for id in "$HUB" "${PILOTS[@]}"; do
			printf '  %-14s %s\n' "$id" "$("$CTL" -d "$DEMO_DIR/$id" sync digest)"
		done >&2
		die "de federatie convergeerde niet binnen 3 minuten"
	fi
	sleep 0.2
done
printf 'geconvergeerd in %s s na de start: elk knooppunt heeft de vrijgaven van elke gemeente (koepel: %s)\n' \
	"$(since "$t_start")" \
	"$("$CTL" -d "$DEMO_DIR/$HUB" sync digest | cut -d' ' -f2-)"

# The association runs a secure-aggregation round per released month
# (a few seconds each, several at once): wait for the federation
# summaries of every month, bounded, and say how far it got.
months=0
for id in "${PILOTS[@]}"; do [ "${DUE[$id]}" -gt "$months" ] && months=${DUE[$id]}; done
fedsums() {
	"$CTL" -d "$DEMO_DIR/$HUB" status --format json 2>/dev/null |
		grep -o '"published": *[0-9]*' | sed -n 1p | grep -o '[0-9]*$' || echo 0
}
t_agg=$(now)
for _ in $(seq 900); do
	[ "$(fedsums)" -ge "$months" ] && break
	sleep 0.2
done
printf 'federatietotalen voor %s van de %s maanden, %s s na de convergentie\n' \
	"$(fedsums)" "$months" "$(since "$t_agg")"
# Then every node holds the same documents, the totals included.
same_everywhere() {
	local first id
	first=$("$CTL" -d "$DEMO_DIR/$HUB" sync digest | cut -d' ' -f1)
	for id in "${PILOTS[@]}"; do
		[ "$("$CTL" -d "$DEMO_DIR/$id" sync digest | cut -d' ' -f1)" = "$first" ] || return 1
	done
}
for _ in $(seq 300); do
	same_everywhere && break
	sleep 0.2
done
if same_everywhere; then
	printf 'alle elf knooppunten houden dezelfde documenten: %s\n' \
		"$("$CTL" -d "$DEMO_DIR/$HUB" sync digest | cut -d' ' -f2-)"
else
	echo "nog niet alle knooppunten houden dezelfde documenten (de sync loopt door)"
fi

step "Bij de koepel: de thema's over de gemeenten heen"
"$CTL" -d "$DEMO_DIR/$HUB" trends --kort | sed -n 1,32p
step "Bij de koepel: jongeren (12-17 en 18-24), de vijf hoogste"
"$CTL" -d "$DEMO_DIR/$HUB" trends --kort --niveau jongeren --top 5 | sed -n '/^Jongeren/,/^$/p'
step "Bij de koepel: federatietotalen (beveiligde optelling) naast de som van de bereiken"
# Without federation summaries (type 7) yet, this says so and shows no table.
"$CTL" -d "$DEMO_DIR/$HUB" trends --federatie --top 8

step "Bij de koepel: de status van elk knooppunt"
sleep 2 # the status file is rewritten every 2 s
"$CTL" -d "$DEMO_DIR/$HUB" status

demo_done=1
if [ "$DEMO_KEEP" = 1 ]; then
	cat <<EOF

De federatie draait nog. Probeer bv.
  # het federatieoverzicht bij de koepel, in de browser:
  #   http://127.0.0.1:${HTTP[$HUB]}/federatie#token=TOKEN
  # met een token van:
  $CTL -d $DEMO_DIR/$HUB token new --rol coordinator --organisatie VVSG --persoon demo
  # het invoerformulier en het dashboard van Gent (token van gent):
  #   http://127.0.0.1:${HTTP[gent]}/invoer   http://127.0.0.1:${HTTP[gent]}/dashboard
  $CTL -d $DEMO_DIR/$HUB status
  curl -s http://127.0.0.1:${HTTP[$HUB]}/metrics | head
  $CTL -d $DEMO_DIR/$HUB federation show
  $CTL -d $DEMO_DIR/$HUB trends --niveau jongeren
  $CTL -d $DEMO_DIR/gent summary list
  cat $DEMO_DIR/$HUB/signaald.prom          # metrieken
  tail -f $DEMO_DIR/gent/signaald.log        # logs
Stoppen: tools/demo.sh stop   (of kill -TERM \$(cat $DEMO_DIR/*/signaald.pid))
EOF
	exit 0
fi
step "De daemons netjes stoppen"
cleanup
PIDS=()
rm -f "$DEMO_DIR"/*/signaald.pid
grep -h "event=stopped" "$DEMO_DIR"/*/signaald.log | wc -l |
	awk '{print $1 " van de 11 processen netjes gestopt"}'
printf '\nKlaar in %s s. Alles staat in %s (elk knooppunt in zijn eigen map).\n' \
	"$(since "$t0")" "$DEMO_DIR"
