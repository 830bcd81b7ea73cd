#!/usr/bin/env bash
# The web pages without a browser: well-formed (the HTML is written as
# XML-compatible HTML5, so xmllint can parse it strictly), scripts that
# parse, nothing loaded from elsewhere, nothing inline the
# Content-Security-Policy would block, and the page table of
# node/api_web.c serving exactly the files of web/.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"

for f in web/*.html web/*.svg; do
	if command -v xmllint >/dev/null; then
		t_check "$f is well-formed" xmllint --noout "$f"
	else
		t_ok "skipped: $f well-formedness (xmllint not installed; make deps)"
	fi
done
for f in web/*.js; do
	if command -v node >/dev/null; then
		t_check "$f parses" node --check "$f"
	else
		t_ok "skipped: $f syntax (node not installed; make deps)"
	fi
done

# Nothing from elsewhere: no scheme-qualified or protocol-relative URL,
# no CSS import; the SVG namespace is a name, not a download.
ext=$(grep -nE 'https?://|["'\''(]//[a-z]|@import' web/* | grep -v 'http://www.w3.org/2000/svg')
if [ -z "$ext" ]; then t_ok "no external URLs in web/"; else t_notok "no external URLs in web/" "$ext"; fi
urls=$(grep -nE 'url\(' web/*.css)
if [ -z "$urls" ]; then t_ok "the stylesheet loads nothing"; else t_notok "the stylesheet loads nothing" "$urls"; fi

# Nothing inline (script-src/style-src 'self' would block it).
inline=$(grep -nE '<script>|<script [^>]*>[^<]|<style|style="| on[a-z]+="|javascript:' web/*.html)
if [ -z "$inline" ]; then t_ok "no inline script, style or handlers"; else t_notok "no inline script, style or handlers" "$inline"; fi
setstyle=$(grep -nE "setAttribute\(\"style\"|\.innerHTML|document\.write|eval\(" web/*.js)
if [ -z "$setstyle" ]; then t_ok "scripts build the DOM without innerHTML, eval or style attributes"; else
	t_notok "scripts build the DOM without innerHTML, eval or style attributes" "$setstyle"; fi

# Every page: Dutch, for phones, one stylesheet, same-origin references
# that the node serves.
served=$(grep -oE '\{"/[^"]*", "[^"]+"' node/api_web.c | sed -E 's/\{"([^"]*)", "([^"]+)"/\1 \2/')
for f in web/*.html; do
	t_grep "$f is Dutch" '<html lang="nl">' "$f"
	t_grep "$f fits a phone" 'name="viewport" content="width=device-width' "$f"
	refs=$(grep -oE '(src|href)="[^"]*"' "$f" | sed -E 's/^(src|href)="([^"]*)"$/\2/')
	missing=""
	for r in $refs; do
		case $r in
		\#*) ;;
		/*) echo "$served" | awk '{print $1}' | grep -qxF "$r" || missing="$missing $r" ;;
		*) missing="$missing $r(relative)" ;;
		esac
	done
	if [ -z "$missing" ]; then t_ok "$f references only served paths"; else
		t_notok "$f references only served paths" "$missing"; fi
done

# The page table serves exactly the files of web/.
table_files=$(echo "$served" | awk '{print $2}' | sort)
dir_files=$(ls web | sort)
t_equal "node/api_web.c serves every file of web/ and no other" "$table_files" "$dir_files"

# The form checks what the node checks.
t_grep "the form knows the limit on themes" 'MAX_THEMES = 3' web/invoer.js
t_grep "the form knows the limit on target groups" 'MAX_TARGETS = 8' web/invoer.js
t_grep "the form knows the limit on the description" 'MAX_DESCRIPTION = 4000' web/invoer.js
t_done
