# Browser tests' setup (bash), shared by tests/integration/*_browser.sh.
# Source tests/lib.sh first, then this file, then call browser_setup:
#
#   browser_setup || t_done     # chromium and playwright-core, or not ok
#   NODE_PATH=$BROWSER_DIR/node_modules node tests/browser/X.js ...
#
# Debian's chromium through tools/install-deps.sh (EXTRA_PACKAGES), and
# playwright-core with `npm ci` into $BUILD/browser (node_modules never
# enter the source tree; tests/browser/package-lock.json pins it), so
# `make test` works on a fresh machine.
BROWSER_DIR=$BUILD/browser

browser_setup() {
	local lockfd
	mkdir -p "$BROWSER_DIR"
	if EXTRA_PACKAGES=chromium "$ROOT/tools/install-deps.sh" >"$T/deps.log" 2>&1 &&
		[ -x /usr/bin/chromium ]; then
		t_ok "chromium is installed"
	else
		t_notok "chromium is installed" "$(tail -3 "$T/deps.log")"
		return 1
	fi
	# node 18 or later (Debian 12's nodejs will do: playwright-core is
	# pinned to a release that supports it)
	command -v node >/dev/null && command -v npm >/dev/null ||
		EXTRA_PACKAGES="nodejs npm" "$ROOT/tools/install-deps.sh" >>"$T/deps.log" 2>&1
	# npm ci only when the lock file changed since the last install; one
	# browser test at a time (they run side by side: tests/run.sh)
	exec {lockfd}>>"$BROWSER_DIR/.setup.lock"
	flock "$lockfd"
	if ! cmp -s "$ROOT/tests/browser/package-lock.json" "$BROWSER_DIR/package-lock.json" ||
		[ ! -d "$BROWSER_DIR/node_modules/playwright-core" ]; then
		cp "$ROOT/tests/browser/package.json" "$ROOT/tests/browser/package-lock.json" "$BROWSER_DIR/"
		(cd "$BROWSER_DIR" && npm ci --no-audit --no-fund --loglevel=error) >"$T/npm.log" 2>&1
	fi
	exec {lockfd}>&-
	if [ -d "$BROWSER_DIR/node_modules/playwright-core" ]; then
		t_ok "playwright-core is installed"
	else
		t_notok "playwright-core is installed" "$(tail -3 "$T/npm.log")"
		return 1
	fi
}

# browser_node NAME: the node of a capture test in $N, its HTTP port in
# $port, screenshots in $ART ($BUILD/test-artifacts/NAME), and two field
# workers of different organisations ($VW: CLB Noord, mw-12; $VW2: CAW
# Zuid, mw-40). The caller makes more tokens, then browser_node_start.
browser_node() {
	ART=$BUILD/test-artifacts/$1
	mkdir -p "$ART"
	N=$T/node
	"$SIGNAALCTL" init --id kortrijk --naam "Stad Kortrijk (test)" "$N" >/dev/null || return 1
	t_port port || return 1
	t_http_node "$N" "$port"
	VW=$("$SIGNAALCTL" -d "$N" token new --rol veldwerker --organisatie "CLB Noord (fictief)" --persoon mw-12 2>/dev/null)
	VW2=$("$SIGNAALCTL" -d "$N" token new --rol veldwerker --organisatie "CAW Zuid (fictief)" --persoon mw-40 2>/dev/null)
}

# browser_node_start: signaald on $N, up (bounded) on $port.
browser_node_start() {
	t_spawn "$T/signaald.log" "$SIGNAALD" -d "$N"
	for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
}
