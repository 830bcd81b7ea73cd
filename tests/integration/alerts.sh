#!/usr/bin/env bash
# The Prometheus alerting rules (configs/prometheus/): promtool checks
# them and runs their unit tests (tests/prometheus/alerts_test.yml); then
# a real Prometheus (Debian's, on loopback, its own data directory)
# scrapes a small federation, and killing a member makes the association
# report it unreachable: SignaalPeerUnreachable and SignaalDaemonDown
# fire. The test copy of the rules only shortens `for:` and the number of
# failed rounds, so the run stays short; every wait is bounded.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"
RULES=$ROOT/configs/prometheus/signaald-alerts.yml

if EXTRA_PACKAGES=prometheus "$ROOT/tools/install-deps.sh" >"$T/deps.log" 2>&1 &&
	command -v promtool >/dev/null && command -v prometheus >/dev/null; then
	t_ok "prometheus and promtool are installed"
else
	t_notok "prometheus and promtool are installed" "$(tail -3 "$T/deps.log")"
	t_done
fi

t_check "promtool check rules" promtool check rules "$RULES"
t_grep "every rule is found" "SUCCESS: 17 rules found" "$T/last.out"
t_check "promtool test rules (the rules' unit tests)" \
	promtool test rules "$ROOT/tests/prometheus/alerts_test.yml"
t_check "the example scrape configuration is valid" \
	promtool check config "$ROOT/configs/prometheus/scrape.yml"

# Every metric a rule reads is one signaald exports (a misspelt name
# would make its alert silently never fire): declared by that name in
# daemon/ (or node/) source; below, also in a running node's /metrics.
missing=
for m in $(grep -oE 'signaal_[a-z_]+' "$RULES" | sort -u); do
	grep -rqF "\"$m\"" "$ROOT/daemon" "$ROOT/node" || missing="$missing $m"
done
t_equal "every metric in the rules is exported by signaald" "${missing:-none}" none

# A broken rule is caught: the check is not a formality.
sed 's/signaal_forks_unresolved > 0/signaal_forks_unresolved >/' "$RULES" >"$T/bad.yml"
t_expect_fail "promtool refuses a broken expression" 1 promtool check rules "$T/bad.yml"

# --- a real Prometheus against a real federation --------------------------
t_check "federation set up" fed_init federatie vvsg eeklo
fed_start vvsg
fed_start eeklo
t_check "they converge" fed_wait_converged 30 vvsg eeklo

# The rules against what the nodes really export (tests/alert_metrics.py):
# every metric, label and label value a rule selects on is in a running
# node's /metrics from the start (a counter that appears only with its
# first increment would make rate() and increase() miss it).
# (Once a sync round with the peer was counted and the state was written
# once: the peer gauges come with the first round, the other counters
# with the first state write, both in the first seconds.)
scraped() {
	local n
	for n in vvsg eeklo; do
		[ -s "$T/$n/signaald.prom" ] || return 1
		curl -s -o /dev/null "http://127.0.0.1:${FED_HTTP[$n]}/healthz"
		curl -s -o /dev/null "http://127.0.0.1:${FED_HTTP[$n]}/readyz"
		curl -s "http://127.0.0.1:${FED_HTTP[$n]}/metrics" >"$T/metrics.$n"
		grep -q '^signaal_peer_failures{' "$T/metrics.$n" || return 1
	done
}
t_check "both nodes' /metrics, after a sync round" fed_wait 30 scraped
t_check "every metric, label and value the rules select on is exported by a running node" \
	python3 "$ROOT/tests/alert_metrics.py" "$RULES" "$T/metrics.vvsg" "$T/metrics.eeklo"
sed 's/reason=~"cap|/reason=~"kap|/' "$RULES" >"$T/typo.yml"
t_expect_fail "a rule selecting a reason that does not exist is caught" 1 \
	python3 "$ROOT/tests/alert_metrics.py" "$T/typo.yml" "$T/metrics.vvsg" "$T/metrics.eeklo"
t_grep "it names the rule and the value" "SignaalHttpSaturated: signaal_http_refused_total\{reason\} never takes the value kap" "$T/last.out"

PROM_PORT=$((FED_BASE + 80))
if (exec 3<>"/dev/tcp/127.0.0.1/$PROM_PORT") 2>/dev/null; then
	t_notok "a free port for Prometheus" "$PROM_PORT is taken"
	t_done
fi
PROM=http://127.0.0.1:$PROM_PORT
# Test parameters: two failed rounds and a few seconds instead of five
# rounds and minutes.
sed -e 's/^\(\s*\)for: .*/\1for: 3s/' \
	-e 's/signaal_peer_failures >= 5/signaal_peer_failures >= 2/' \
	"$RULES" >"$T/alerts.yml"
cat >"$T/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $T/alerts.yml
scrape_configs:
  - job_name: signaald
    static_configs:
      - targets: ['127.0.0.1:${FED_HTTP[vvsg]}']
        labels: {node: vvsg}
      - targets: ['127.0.0.1:${FED_HTTP[eeklo]}']
        labels: {node: eeklo}
EOF
t_check "the test rules are valid too" promtool check config "$T/prometheus.yml"
t_spawn "$T/prometheus.log" prometheus --config.file="$T/prometheus.yml" \
	--storage.tsdb.path="$T/prom" --storage.tsdb.retention.time=1h \
	--web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn
PROM_PID=$T_LAST_PID

pyq() { # URL PYTHON-EXPR over d (the JSON answer)
	curl -sf --max-time 5 "$1" |
		python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"
}
up_count() {
	[ "$(pyq "$PROM/api/v1/query?query=sum(up%7Bjob%3D%22signaald%22%7D)" \
		"d['data']['result'][0]['value'][1] if d['data']['result'] else 0")" = 2 ]
}
t_check "Prometheus scrapes both nodes" fed_wait 60 up_count
peer_failures_seen() {
	[ -n "$(pyq "$PROM/api/v1/query?query=signaal_peer_failures" \
		"','.join(r['metric']['peer'] for r in d['data']['result'])")" ]
}
t_check "it sees the peers' failure gauges" fed_wait 30 peer_failures_seen

firing() { # ALERTNAME LABEL VALUE: 0 when that alert fires
	[ "$(pyq "$PROM/api/v1/alerts" \
		"sum(1 for a in d['data']['alerts'] if a['labels']['alertname'] == '$1' and a['labels'].get('$2') == '$3' and a['state'] == 'firing')")" != 0 ]
}
pyq "$PROM/api/v1/alerts" "d['data']['alerts']" >"$T/alerts-before.txt"
if firing SignaalPeerUnreachable peer eeklo || firing SignaalDaemonDown node eeklo; then
	t_notok "nothing fires while the federation is healthy" "$(cat "$T/alerts-before.txt")"
else
	t_ok "nothing fires while the federation is healthy"
fi

fed_kill eeklo
t_check "killing eeklo: SignaalPeerUnreachable fires at the association" \
	fed_wait 90 firing SignaalPeerUnreachable peer eeklo
t_check "and SignaalDaemonDown for eeklo" fed_wait 30 firing SignaalDaemonDown node eeklo
pyq "$PROM/api/v1/alerts" \
	"[a['annotations']['summary'] for a in d['data']['alerts'] if a['labels']['alertname'] == 'SignaalPeerUnreachable']" \
	>"$T/summary.txt"
t_grep "the alert tells who cannot reach whom" "127.0.0.1:${FED_HTTP[vvsg]} cannot sync with peer eeklo" "$T/summary.txt"

kill -TERM "$PROM_PID" 2>/dev/null
wait "$PROM_PID" 2>/dev/null
fed_stop vvsg
t_done
