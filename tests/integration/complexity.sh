#!/usr/bin/env bash
# The complexity rule of docs/DEVELOPING.md: no production function (all
# of common core view proto store node daemon tools; not tests/, bench/
# or the fuzz harnesses) above cyclomatic complexity 25 or 120 lines
# without a `complexity:` comment saying why. tests/complexity_allow.txt
# lists the still-known offenders; it only shrinks (tests/complexity_check.sh).
# Debian's pmccabe measures; tools/install-deps.sh brings it.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
CHECK=$ROOT/tests/complexity_check.sh
ALLOW=$ROOT/tests/complexity_allow.txt

if command -v pmccabe >/dev/null ||
	{ EXTRA_PACKAGES=pmccabe "$ROOT/tools/install-deps.sh" >"$T/deps.log" 2>&1 &&
		command -v pmccabe >/dev/null; }; then
	t_ok "pmccabe is installed"
else
	t_notok "pmccabe is installed" "$(tail -3 "$T/deps.log")"
	t_done
fi

mapfile -t prod < <(find common core view proto store node daemon tools \
	-name '*.c' | sort)
name="no production function above cc 25 or 120 lines unless it says why"
if "$CHECK" "$ALLOW" "${prod[@]}" >"$T/prod.out" 2>&1; then t_ok "$name"
else
	t_notok "$name" "$(grep -c . "$T/prod.out") findings"
	sed 's/^/#   /' "$T/prod.out"
fi

# The check is no formality: a long branchy function fails it, the same
# with a marker passes, an allow-list entry passes it, and a stale entry
# (a function fixed but still listed) fails.
mkdir -p "$T/src"
{
	echo 'int big(int x);'
	echo 'int big(int x)'
	echo '{'
	for i in $(seq 30); do echo "	if (x == $i) return $i;"; done
	echo '	return 0;'
	echo '}'
	echo 'int small(int x);'
	echo 'int small(int x)'
	echo '{'
	echo '	return x;'
	echo '}'
} >"$T/src/branchy.c"
{
	echo 'int tall(void);'
	echo 'int tall(void)'
	echo '{'
	echo '	int n = 0;'
	for i in $(seq 125); do echo '	n++;'; done
	echo '	return n;'
	echo '}'
} >"$T/src/tall.c"
cd "$T"
t_expect_fail "a function of cc 31 fails the check" 1 "$CHECK" /dev/null src/branchy.c
t_grep "it names the function and the rule" "over: src/branchy.c:2 big \(cc 31" "$T/last.out"
t_expect_fail "a function of 130 lines fails the check" 1 "$CHECK" /dev/null src/tall.c
{
	echo 'int tall(void);'
	echo '/* The steps below, one per line:'
	echo ' * complexity: a test of the marker, one statement per line. */'
	sed -n '2,$p' src/tall.c
} >src/marked.c
t_check "a comment 'complexity: why' above the function passes" "$CHECK" /dev/null src/marked.c
printf '# known\nsrc/branchy.c big\n' >allow.txt
t_check "an allow-listed offender passes" "$CHECK" allow.txt src/branchy.c
printf 'src/branchy.c big\nsrc/branchy.c small\n' >allow.txt
t_expect_fail "a stale allow-list entry fails" 1 "$CHECK" allow.txt src/branchy.c
t_grep "it says which entry to remove" "stale: src/branchy.c small" "$T/last.out"
t_done
