#!/usr/bin/env bash
# `make demo` end to end on free ports: eleven signaald processes, the
# pilots' releases, convergence, the association's table, a clean stop.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

fed_pick_ports
t_check "the demo runs" env DEMO_DIR="$T/demo" DEMO_PORT="$FED_BASE" DEMO_HTTP_PORT=$((FED_BASE + 30)) \
	BUILD="$BUILD" "$ROOT/tools/demo.sh"
cp "$T/last.out" "$T/demo.out"
t_grep "it converges" "^geconvergeerd in .* origins=12" "$T/demo.out"
t_grep "and every node ends with the same documents, totals included" \
	"^alle elf knooppunten houden dezelfde documenten: origins=12" "$T/demo.out"
t_grep "the association shows the themes across municipalities" \
	"Mentaal welzijn +[0-9,]+ +[0-9]+/10" "$T/demo.out"
t_grep "suppressed counts show as ranges" "[0-9.]+–[0-9.]+" "$T/demo.out"
t_grep "the association sees every node's status" "^sint-niklaas +gemeente +0\.1\.0" \
	"$T/demo.out"
t_grep "every daemon stops cleanly" "^11 van de 11 processen netjes gestopt" \
	"$T/demo.out"
t_grep "the demo ends well" "^Klaar" "$T/demo.out"
t_check "a pilot's audit log is intact" "$SIGNAALCTL" -d "$T/demo/gent" audit verify
t_check "a pilot's audit log" "$SIGNAALCTL" -d "$T/demo/gent" audit show
t_grep "it records what the daemon sent to the association" \
	"verzonden naar vvsg" "$T/last.out"
t_check "no daemon left running" bash -c \
	"! ps -eo args | grep -q '^[^ ]*signaald -d $T/demo/'"
t_done
