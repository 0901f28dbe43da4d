#!/bin/sh
# SPDX-License-Identifier: MIT
# The Makefile's promises to packagers: required flags survive CFLAGS=,
# CROSS_COMPILE prefixes the tools, DESTDIR/PREFIX install, and the house
# style checks hold.
. tests/cli/lib.sh

make -n -B BUILD="$TMP/b" CFLAGS=-O0 "$TMP/b/digestd" >"$TMP/n" 2>&1
if grep -q -- '-std=c11' "$TMP/n" && grep -q -- '-Wall' "$TMP/n" && grep -q -- '-O0' "$TMP/n"; then
	pass "CFLAGS= keeps -std=c11 and the warnings"
else
	fail "CFLAGS= keeps -std=c11 and the warnings" "$(head -c 300 "$TMP/n")"
fi

make -n -B BUILD="$TMP/b" CROSS_COMPILE=aarch64-linux-gnu- "$TMP/b/digestd" >"$TMP/n" 2>&1
expect_grep "CROSS_COMPILE prefixes the compiler" '^aarch64-linux-gnu-gcc ' "$TMP/n"

make -n -B BUILD="$TMP/b" CC=clang "$TMP/b/digestd" >"$TMP/n" 2>&1
expect_grep "CC= is honoured" '^clang ' "$TMP/n"

make -n DESTDIR="$TMP/root" PREFIX=/usr install >"$TMP/n" 2>&1
expect_grep "install honours DESTDIR and PREFIX" "$TMP/root/usr/bin" "$TMP/n"

if grep -n 'uname' Makefile >/dev/null; then fail "Makefile does not detect the host"; else
	pass "Makefile does not detect the host"; fi

if sh tools/lint.sh >"$TMP/lint" 2>&1; then pass "house style (tools/lint.sh)"; else
	fail "house style (tools/lint.sh)" "$(head -n 20 "$TMP/lint")"; fi
