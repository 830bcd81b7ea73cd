#!/usr/bin/env bash
# The commands the docs show, run as written: the README's start and the
# operator manual's set-up steps (docs/OPERATING.md, "Set up a node ...,
# step by step" and the association's commands), extracted from the
# Markdown by tests/docs_commands.py and run in a temporary directory:
# a municipality (Kortrijk) and the association, each with its own "home"
# under $T, after a `make install` into $T/dest.
#
# Rewrites, the same for every command (nothing else is changed):
#   /var/lib/signaal   -> that side's $T/.../var/lib/signaal
#   /usr/local         -> $T/dest/usr/local (the DESTDIR install)
#   "sudo -u signaal " -> "" (the test runs as the node's user)
#   "sudo install -o signaal -g signaal " -> "install "
# Exceptions (root, systemd, or run elsewhere), each named in the output:
#   make demo / make test           tests/integration/demo.sh runs the
#                                   demo (the Makefile's demo target is
#                                   tools/demo.sh); make test is this run
#   make deps && make && sudo make install
#                                   make install DESTDIR=$T/dest (apt-get
#                                   needs root; the build is done)
#   sudo useradd ...                checked for --create-home and the home
#                                   directory; stood in for by mkdir -p
#   sudo systemctl enable --now ... signaald -d DIR in the background, as
#                                   the unit's ExecStart runs it
#   journalctl -u signaald          that signaald's log: event=started
# Step 3 says to adapt the example config: the test sets web_dir to the
# installed pages and both listen addresses to free loopback ports.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"
fed_pick_ports || { t_notok "free ports"; t_done; }
DEST=$T/dest
export PATH=$DEST/usr/local/bin:$PATH

# --- the README's start ---------------------------------------------------
python3 "$ROOT/tests/docs_commands.py" readme "$ROOT/README.md" >"$T/readme.cmds"
t_equal "the README starts with make demo and make test" \
	"$(cut -f2 "$T/readme.cmds" | sed 's/ *#.*//')" "make demo
make test"
t_grep "make demo is tools/demo.sh, which demo.sh runs" "^	\\\$\\(Q\\)BUILD=\\\$\\(BUILD\\) tools/demo.sh" "$ROOT/Makefile"

# --- the set-up steps -------------------------------------------------------
python3 "$ROOT/tests/docs_commands.py" setup "$ROOT/docs/OPERATING.md" >"$T/setup.cmds"
t_equal "the set-up steps show 19 commands in 7 blocks" \
	"$(wc -l <"$T/setup.cmds") $(cut -f1 "$T/setup.cmds" | sort -u | wc -l)" "19 7"

SIDE=    # "gemeente" or "koepel"
DAEMON_PID=
rewrite() {
	local home=$T/$SIDE/var/lib/signaal
	sed -e "s|/var/lib/signaal|$home|g" -e "s|/usr/local|$DEST/usr/local|g" \
		-e 's|^sudo -u signaal ||' -e 's|^sudo install -o signaal -g signaal |install |' <<<"$1"
}
# doc CMD: run one command of the docs in the current side's directory
doc() {
	local cmd=$1 home=$T/$SIDE/var/lib/signaal
	case "$cmd" in
	"make deps && make && sudo make install")
		t_check "[exception: root] $cmd -> make install DESTDIR" \
			make -s -C "$ROOT" BUILD="$BUILD" install DESTDIR="$DEST" ;;
	"sudo useradd "*)
		case "$cmd" in *"--create-home"*"--home-dir /var/lib/signaal"*) t_ok "useradd creates the home directory" ;;
		*) t_notok "useradd creates the home directory" "$cmd" ;; esac
		t_check "[exception: root] $cmd -> mkdir -p" mkdir -p "$home" ;;
	"sudo systemctl enable --now signaald")
		t_grep "the unit runs signaald" "^ExecStart=$DEST/usr/local/bin/signaald|^ExecStart=/usr/local/bin/signaald" \
			"$DEST/usr/local/lib/systemd/system/signaald.service"
		t_spawn "$T/$SIDE.daemon.log" signaald -d "$home"
		DAEMON_PID=$T_LAST_PID
		t_ok "[exception: systemd] $cmd -> signaald -d $home" ;;
	"journalctl -u signaald")
		t_check "[exception: systemd] $cmd -> its log says event=started" \
			fed_wait 20 grep -q "event=started" "$T/$SIDE.daemon.log" ;;
	*)
		local run
		run=$(rewrite "$cmd")
		(cd "$T/$SIDE" && eval "$run") >"$T/last.out" 2>&1
		local rc=$?
		if [ $rc -eq 0 ]; then t_ok "as written: $cmd"; else t_notok "as written: $cmd" "exit $rc: $(tail -3 "$T/last.out")"; fi ;;
	esac
}
block() { awk -F'\t' -v b="$1" '$1 == b { print $2 }' "$T/setup.cmds"; }

mkdir -p "$T/gemeente" "$T/koepel"
SIDE=gemeente
for b in 1 2 3; do while IFS= read -r c; do doc "$c"; done < <(block $b); done
# step 3's adaptation: the installed pages, free loopback ports
t_check "step 3: the config adapted" sed -i \
	-e "s|^web_dir = .*|web_dir = $DEST/usr/local/share/signaal/web|" \
	-e "s|^listen = tcp://0.0.0.0:7400|listen = tcp://127.0.0.1:$FED_BASE|" \
	-e "s|^listen = 127.0.0.1:8080|listen = 127.0.0.1:$((FED_BASE + 60))|" "$T/gemeente/kortrijk.ini"
while IFS= read -r c; do doc "$c"; done < <(block 4)
cp "$T/gemeente/var/lib/signaal/keys/node.pub" "$T/koepel/kortrijk-node.pub"

# The association: steps 1-4 with vvsg.ini (the install is shared), then
# its own commands.
SIDE=koepel
doc "sudo useradd --system --create-home --home-dir /var/lib/signaal --shell /usr/sbin/nologin signaal"
doc "cp /usr/local/share/signaal/configs/nodes/vvsg.ini vvsg.ini"
doc "sudo -u signaal signaalctl init --config vvsg.ini /var/lib/signaal"
# (export in a subshell does not carry over: the block runs as one)
run=$(block 7 | while IFS= read -r c; do rewrite "$c"; done)
(cd "$T/koepel" && set -e && eval "$run") >"$T/last.out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then t_ok "as written: the association's commands ($(block 7 | wc -l))"
else t_notok "as written: the association's commands" "exit $rc: $(tail -3 "$T/last.out")"; fi
t_grep "federation init put the association in the roster" "^vvsg +VVSG" \
	<(cd "$T/koepel" && SIGNAAL_DIR=$T/koepel/var/lib/signaal signaalctl federation show)
cp "$T/koepel/var/lib/signaal/keys/federation.pub" "$T/koepel/federatie.bundle" "$T/gemeente/"

SIDE=gemeente
for b in 5 6; do while IFS= read -r c; do doc "$c"; done < <(block $b); done
t_grep "sync digest printed a digest" "docs=[0-9]+" "$T/last.out"
t_check "the daemon writes signaald.json" fed_wait 20 test -s "$T/gemeente/var/lib/signaal/signaald.json"
[ -n "$DAEMON_PID" ] && kill -TERM "$DAEMON_PID" 2>/dev/null
t_done
