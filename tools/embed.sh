#!/bin/sh
# embed.sh NAME FILE: print FILE's bytes as a NUL-ended C array NAME, so
# that a file of its own (a stylesheet) is compiled into the library.
# Used by the Makefile; the output goes to $(BUILD)/gen/.
set -eu
name=$1
file=$2
printf '/* Generated from %s by tools/embed.sh; edit that file. */\n' "$file"
printf 'extern const unsigned char %s[];\n' "$name"
printf 'const unsigned char %s[] = {\n' "$name"
od -An -v -tx1 "$file" | sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
printf '0x00};\n'
