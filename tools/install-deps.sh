#!/usr/bin/env bash
# Installs the Debian packages this project builds, tests and runs with.
# Idempotent: when everything is present it only runs dpkg-query and exits.
set -eu

packages=(
	build-essential pkg-config clang
	libuv1-dev libnng-dev libmsgpack-dev libsodium-dev libsqlite3-dev
	libinih-dev libjansson-dev libcmocka-dev libglpk-dev libmicrohttpd-dev
	sqlite3 nng-utils iproute2 procps
	libxml2-utils nodejs
)
# Extra packages a target asks for: chromium for the browser tests,
# prometheus (promtool and the server) for tests/integration/alerts.sh,
# pmccabe for tests/integration/complexity.sh.
if [ -n "${EXTRA_PACKAGES:-}" ]; then
	read -r -a extra <<<"$EXTRA_PACKAGES"
	packages+=("${extra[@]}")
fi

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

# Tests run side by side (tests/run.sh) and several may ask for their
# extra package at once: one apt-get at a time (dpkg's lock would refuse
# the second).
exec 9>>"${TMPDIR:-/tmp}/signaal-install-deps.lock"
flock 9
echo "Installing missing packages: ${missing[*]}"
sudo=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "Not root and no sudo: install ${missing[*]} yourself." >&2; exit 1; }
	sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
