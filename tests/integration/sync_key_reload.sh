#!/usr/bin/env bash
# signaald reads keys/node.key again on SIGHUP (docs/OPERATING.md,
# "Rotating a member's key"): a missing, malformed, too open or
# mismatched key file is refused with one clear line and the old key
# stays in use (the node keeps syncing and signing); a good new key is
# taken without a restart: the own-key check runs against it, the node
# signs its next status with it, its sessions use it, and every node
# takes what it signs.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

keyid() { "$SIGNAALCTL" -d "$1" keygen --toon | awk '/sleutel-id/ {print $2}'; }
published() { grep -q "event=status_published.*key_id=$2" "$T/$1.log"; }
metric_is() { # NODE NAME VALUE (within 10 s)
	fed_wait 10 bash -c "[ \"\$(grep '^$2 ' '$T/$1/signaald.prom' | awk '{print \$2}')\" = '$3' ]"
}
refusals() { grep -c "event=key_reload_refused" "$T/gent.log"; }
hup_refused() { # WHAT: SIGHUP, one more refusal naming the old key
	local n
	n=$(refusals)
	kill -HUP "${FED_PID[gent]}"
	t_check "$1 is refused" fed_wait 10 bash -c \
		"[ \"\$(grep -c 'event=key_reload_refused.*key_id=$k1 action=keep_old_key' '$T/gent.log')\" -gt $n ]"
}

t_check "federation set up" fed_init federatie vvsg gent kortrijk
for n in vvsg gent kortrijk; do fed_start "$n"; done
k1=$(keyid "$T/gent")
t_check "gent publishes with its first key" fed_wait 30 published gent "$k1"
t_check "converges" fed_wait_converged 60 vvsg gent kortrijk
cp -p "$T/gent/keys/node.key" "$T/node.key.k1"

# --- bad key files: refused, the old key stays ----------------------------
rm "$T/gent/keys/node.key"
hup_refused "a missing key file"
printf 'geen sleutel\n' >"$T/gent/keys/node.key"
chmod 600 "$T/gent/keys/node.key"
hup_refused "a malformed key file"
cp -p "$T/node.key.k1" "$T/gent/keys/node.key"
chmod 644 "$T/gent/keys/node.key"
hup_refused "a key file readable by others"
t_grep "and says why" "event=key_reload_refused .*reason=denied" "$T/gent.log"
cp -p "$T/node.key.k1" "$T/gent/keys/node.key"
t_equal "nothing reloaded" "$(grep -c 'event=key_reloaded' "$T/gent.log")" 0
t_check "gent still signs with its key" metric_is gent signaal_own_key_valid 1
# gent still syncs and signs with the old key: a status after a restart
# of kortrijk's view is not needed, a fill at vvsg must reach gent.
fed_fill vvsg 3 1
t_check "gent still syncs" fed_wait_converged 60 vvsg gent kortrijk
reloads=$(grep -c 'event=reloaded' "$T/gent.log")
kill -HUP "${FED_PID[gent]}"
t_check "the same key again: no change" fed_wait 10 bash -c \
	"[ \"\$(grep -c 'event=reloaded' '$T/gent.log')\" -gt $reloads ]"
t_equal "still nothing reloaded" "$(grep -c 'event=key_reloaded' "$T/gent.log")" 0

# --- an emergency rotation: the old key closed, the new one by SIGHUP ----
# No overlap: gent's sessions on its old key are refused from the
# roster's publication on, so nothing of gent reaches anyone unless its
# sync engine takes the reloaded key too.
mkdir "$T/k2"
"$SIGNAALCTL" -d "$T/k2" keygen >/dev/null
k2=$(keyid "$T/k2")
"$SIGNAALCTL" -d "$T/vvsg" federation member rotate-key gent \
	--sleutel "$T/k2/keys/node.pub" --overgang 0 >/dev/null
t_check "emergency rotation published" "$SIGNAALCTL" -d "$T/vvsg" \
	federation publish
"$SIGNAALCTL" -d "$T/vvsg" federation export "$T/federatie2.bundle" >/dev/null
t_check "gent imports the bundle" "$SIGNAALCTL" -d "$T/gent" \
	federation import "$T/federatie2.bundle"
t_check "gent may not sign with its closed key" fed_wait 20 grep -q \
	"event=own_key_invalid node=gent key_id=$k1 reason=expired" "$T/gent.log"
pid=${FED_PID[gent]}
cp "$T/k2/keys/node.key" "$T/k2/keys/node.pub" "$T/gent/keys/"
kill -HUP "$pid"
t_check "gent takes the new key" fed_wait 10 grep -q \
	"event=key_reloaded node=gent old_key_id=$k1 key_id=$k2" "$T/gent.log"
t_check "and signs a status with it at once" fed_wait 10 published gent "$k2"
t_equal "without a restart" "${FED_PID[gent]}" "$pid"
kill -0 "$pid" && t_ok "gent still runs" || t_notok "gent still runs"
t_check "the own key is valid again" metric_is gent signaal_own_key_valid 1
t_check "the status says nothing of the key" fed_wait 10 bash -c \
	"! '$SIGNAALCTL' -d '$T/gent' status | grep -q '^Sleutel'"
t_check "gent's sessions use the new key: all converge" \
	fed_wait_converged 60 vvsg gent kortrijk
fed_fill vvsg 3 2
t_check "and keep converging" fed_wait_converged 60 vvsg gent kortrijk
t_equal "nothing refused anywhere" \
	"$(( $(fed_metric vvsg signaal_docs_rejected_total) + $(fed_metric kortrijk signaal_docs_rejected_total) ))" 0

# --- a rotation with an overlap, the next key taken by SIGHUP -------------
mkdir "$T/k3"
"$SIGNAALCTL" -d "$T/k3" keygen >/dev/null
k3=$(keyid "$T/k3")
"$SIGNAALCTL" -d "$T/vvsg" federation member rotate-key gent \
	--sleutel "$T/k3/keys/node.pub" --overgang 1 >/dev/null
t_check "rotation published" "$SIGNAALCTL" -d "$T/vvsg" federation publish
t_check "gent warns that its key closes" fed_wait 30 \
	grep -q "event=own_key_closing node=gent key_id=$k2" "$T/gent.log"
cp "$T/k3/keys/node.key" "$T/k3/keys/node.pub" "$T/gent/keys/"
kill -HUP "$pid"
t_check "gent takes the next key" fed_wait 10 grep -q \
	"event=key_reloaded node=gent old_key_id=$k2 key_id=$k3" "$T/gent.log"
t_check "signs with it" fed_wait 10 published gent "$k3"
t_check "no warning any more" fed_wait 10 bash -c \
	"! '$SIGNAALCTL' -d '$T/gent' status | grep -q '^Sleutel'"
t_check "everything converges" fed_wait_converged 60 vvsg gent kortrijk
t_equal "still nothing refused" \
	"$(( $(fed_metric vvsg signaal_docs_rejected_total) + $(fed_metric kortrijk signaal_docs_rejected_total) ))" 0
for n in vvsg gent kortrijk; do fed_stop "$n"; done
t_done
