# Helpers for integration tests (bash). Source it first:
#
#   . "$(dirname "$0")/../lib.sh"
#   t_check "imports the sample" "$SIGNAALCTL" -d "$T" signal import x.csv
#   t_expect_fail "rejects bad date" 3 "$SIGNAALCTL" ...   # exit code 3
#   t_done
#
# Every check prints "ok - name" or "not ok - name"; tests/run.sh counts
# them. $T is a fresh temporary directory removed at exit (kept with
# KEEP_TMP=1); processes started with t_spawn are killed at exit.
# Loopback ports come from t_port_block / t_port (below), never from a
# fixed number or $RANDOM alone: tests run side by side (tests/run.sh).
set -u
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SIGNAALCTL=$BUILD/signaalctl
SIGNAALD=$BUILD/signaald
T=$(mktemp -d /tmp/signaal-test.XXXXXX)
T_PIDS=()
T_FAILED=0

t_cleanup() {
	local pid
	for pid in "${T_PIDS[@]+"${T_PIDS[@]}"}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${T_PIDS[@]+"${T_PIDS[@]}"}"; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	done
	t_port_release
	if [ "${KEEP_TMP:-0}" = 1 ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap t_cleanup EXIT

t_ok() { echo "ok - $1"; }
t_notok() {
	echo "not ok - $1${2:+: $2}"
	T_FAILED=$((T_FAILED + 1))
}

# t_check NAME CMD...: passes when CMD exits 0. Output goes to $T/last.out.
# t_show FILE: what a failed check saw, as comments: the whole of a short
# file, else its first 5 and last 25 lines (an error is most often at
# the end).
t_show() {
	local n
	n=$(wc -l <"$1" 2>/dev/null || echo 0)
	if [ "$n" -le 30 ]; then
		sed 's/^/#   /' "$1"
	else
		sed -n '1,5s/^/#   /p' "$1"
		echo "#   ... ($((n - 30)) lines)"
		tail -n 25 "$1" | sed 's/^/#   /'
	fi
}

t_check() {
	local name=$1; shift
	if "$@" >"$T/last.out" 2>&1; then t_ok "$name"; else
		t_notok "$name" "exit $? from: $*"
		t_show "$T/last.out"
	fi
}

# t_expect_fail NAME CODE CMD...: passes when CMD exits with exactly CODE.
t_expect_fail() {
	local name=$1 want=$2; shift 2
	"$@" >"$T/last.out" 2>&1
	local rc=$?
	if [ "$rc" -eq "$want" ]; then t_ok "$name"; else
		t_notok "$name" "exit $rc, wanted $want from: $*"
		t_show "$T/last.out"
	fi
}

# t_grep NAME PATTERN FILE: passes when FILE contains PATTERN (grep -E).
t_grep() {
	if grep -Eq -- "$2" "$3"; then t_ok "$1"; else
		t_notok "$1" "no /$2/ in $3"
		t_show "$3"
	fi
}

# t_equal NAME GOT WANT
t_equal() {
	if [ "$2" = "$3" ]; then t_ok "$1"; else t_notok "$1" "got '$2', want '$3'"; fi
}

# t_spawn LOGFILE CMD...: start CMD in the background; killed at exit.
t_spawn() {
	local log=$1; shift
	"$@" >"$log" 2>&1 &
	T_PIDS+=($!)
	T_LAST_PID=$!
}

# Ports. t_port_block reserves a block of 100 loopback ports for this
# test and sets T_PORT_BASE: BASE..BASE+99, below 32768 (the start of
# Linux's ephemeral range, where any outgoing connection may take a
# port). A reservation is a folder T_PORT_DIR/BASE holding the test's
# process id, made under a lock, so two tests running at the same time
# (tests/run.sh runs them side by side, other checkouts may run theirs)
# never get the same block, however close together they choose; probing
# alone cannot promise that (both probe, both find the block free, the
# second to bind fails). A reservation whose process is gone (a test
# killed with SIGKILL) is taken over. No port of the block may accept a
# connection when it is chosen (some other program uses it). The block
# is given back at exit. Each call reserves another block.
T_PORT_DIR=${T_PORT_DIR:-/tmp/signaal-test-ports}
T_PORT_LOCKS=()
t_port_block() {
	local fd base dir owner p used try
	# shared by every user's tests: sticky, the lock readable by all
	if mkdir "$T_PORT_DIR" 2>/dev/null; then chmod 1777 "$T_PORT_DIR"; fi
	[ -e "$T_PORT_DIR/.lock" ] || (umask 022 && : >>"$T_PORT_DIR/.lock") 2>/dev/null
	exec {fd}<"$T_PORT_DIR/.lock" || return 1
	flock -w 60 "$fd" || { exec {fd}>&-; echo "# no port lock" >&2; return 1; }
	for try in $(seq 200); do
		base=$((20000 + (($$ * 131 + try * 997 + RANDOM) % 127) * 100))
		dir=$T_PORT_DIR/$base
		if [ -d "$dir" ]; then
			owner=$(cat "$dir/pid" 2>/dev/null)
			if [[ "$owner" =~ ^[0-9]+$ ]] && kill -0 "$owner" 2>/dev/null; then continue; fi
			rm -rf "$dir" # its test is gone
		fi
		used=0
		for p in $(seq "$base" $((base + 99))); do
			if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
				used=1
				break
			fi
		done
		[ "$used" = 0 ] || continue
		mkdir "$dir" && echo "$$" >"$dir/pid" || continue
		T_PORT_LOCKS+=("$dir")
		T_PORT_BASE=$base
		T_PORT_NEXT=90
		exec {fd}>&-
		return 0
	done
	exec {fd}>&-
	echo "# no free block of ports" >&2
	return 1
}

# t_port VAR: one port for VAR from this test's block (BASE+90..+99; the
# block's start is for lib_federation.sh), reserving a block first if
# there is none.
t_port() {
	if [ -z "${T_PORT_BASE:-}" ]; then t_port_block || return 1; fi
	if [ "$T_PORT_NEXT" -gt 99 ]; then echo "# t_port: block used up" >&2; return 1; fi
	printf -v "$1" '%d' $((T_PORT_BASE + T_PORT_NEXT))
	T_PORT_NEXT=$((T_PORT_NEXT + 1))
}

t_port_release() {
	local dir
	for dir in "${T_PORT_LOCKS[@]+"${T_PORT_LOCKS[@]}"}"; do
		[ "$(cat "$dir/pid" 2>/dev/null)" = "$$" ] && rm -rf "$dir"
	done
	T_PORT_LOCKS=()
}

# t_later_wal NODE_DIR START: grow the node's store by 2000 signals from
# month START and leave a WAL of that later state beside it, not
# checkpointed: what a restore that forgot to remove the -wal finds.
# The signals stay in $T/later.csv (a CSV to import again).
t_later_wal() {
	local db=$1/signaal.db
	"$BUILD/gen-signals" --seed 4 --rows 2000 --municipality kortrijk \
		--start "$2" --months 3 --out "$T/later.csv" >/dev/null 2>&1 &&
		"$SIGNAALCTL" -d "$1" signal import "$T/later.csv" >/dev/null &&
		python3 - "$db" <<'PY'
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA wal_autocheckpoint=0")
c.execute("BEGIN"); c.execute("UPDATE signal SET persons = persons + 1"); c.execute("COMMIT")
os._exit(0)  # no checkpoint: the WAL stays beside the file
PY
}

# t_http_node NODE_DIR PORT [WEB_DIR]: the node's API listens on
# 127.0.0.1:PORT and serves WEB_DIR (default: this checkout's web/; ""
# for no pages).
t_http_node() {
	local web=${3-$ROOT/web}
	sed -i "/^\[http\]/,\$ { s|^listen = .*|listen = 127.0.0.1:$2|; s|^web_dir = .*|web_dir = $web| }" "$1/signaal.ini"
}

# wait_for SECONDS CMD...: 0 once CMD succeeds (its output dropped),
# tried every 0.1 s; 1 after SECONDS.
wait_for() {
	local limit=$1
	shift
	for _ in $(seq $((limit * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}

# wait_exit PID MAX_S: the exit status of PID (a child of this shell),
# or 124 after MAX_S (then it is killed).
wait_exit() {
	local pid=$1 max=$2
	for _ in $(seq $((max * 10))); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid"; return $?; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 124
}

t_done() { exit "$T_FAILED"; }
