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

t_done() { exit "$T_FAILED"; }
