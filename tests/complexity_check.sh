#!/usr/bin/env bash
# The complexity rule of docs/DEVELOPING.md: no production function above
# cyclomatic complexity 25 or 120 lines, unless it says why.
#
#   tests/complexity_check.sh ALLOW_FILE FILE.c...
#
# Measures every function of the given files with pmccabe (traditional
# McCabe complexity: every if, loop, case, && and || counts one; lines
# from the function's first line to its closing brace). A function above
# either limit passes only when
#   - the comment block right above it (or the line before it) carries a
#     marker `complexity: <the reason>`, or
#   - ALLOW_FILE lists it as a still-known offender: one "FILE FUNCTION"
#     per line, # comments. That list only shrinks: an entry that is no
#     longer above a limit is an error too ("stale"), so it is removed
#     when its function is fixed.
# Prints one line per failure ("over: ...", "stale: ...") and exits 1 if
# there is any, else 0. Exit 2 when pmccabe is missing or fails.
set -u
CC_MAX=${CC_MAX:-25}
LINES_MAX=${LINES_MAX:-120}
allow=$1
shift
command -v pmccabe >/dev/null || { echo "pmccabe is not installed" >&2; exit 2; }

# "CC LINES FIRSTLINE FILE FUNCTION" for every function above a limit.
over=$(pmccabe "$@" | awk -F'\t' -v cm="$CC_MAX" -v lm="$LINES_MAX" '
	{ split($6, w, "[(): ]+")
	  if ($2 > cm || $5 > lm) print $2, $5, $4, w[1], w[3] }') ||
	{ echo "pmccabe failed" >&2; exit 2; }

# Does the comment block above line N of FILE carry the marker?
marked() { # FILE N
	awk -v n="$2" '
		NR < n { line[NR] = $0 }
		END {
			for (i = n - 1; i >= 1; i--) {
				if (line[i] ~ /complexity:/) exit 0
				if (line[i] !~ /^[ \t]*(\/\*|\*|\/\/)/) exit 1
			}
			exit 1
		}' "$1"
}

allowed() { # FILE FUNCTION
	grep -v '^[[:space:]]*#' "$allow" 2>/dev/null | awk -v f="$1" -v fn="$2" \
		'$1 == f && $2 == fn { found = 1 } END { exit !found }'
}

fail=0
seen=" "
while read -r cc lines first file fn; do
	[ -n "${file:-}" ] || continue
	seen="$seen$file:$fn "
	if marked "$file" "$first" || allowed "$file" "$fn"; then continue; fi
	echo "over: $file:$first $fn (cc $cc, $lines lines): split it into" \
		"named steps, or say why not in a 'complexity:' comment above it"
	fail=1
done <<<"$over"

# Allow-list entries for the files measured that are no longer over.
if [ -f "$allow" ]; then
	while read -r file fn _; do
		case "$file" in '' | \#*) continue ;; esac
		printf '%s\n' "$@" | grep -qxF "$file" || continue
		case "$seen" in *" $file:$fn "*) ;; *)
			echo "stale: $file $fn is no longer above cc $CC_MAX or" \
				"$LINES_MAX lines: remove it from $allow"
			fail=1 ;;
		esac
	done <"$allow"
fi
exit $fail
