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

# One HTTP boundary: libcurl's header is included under src/net/ and nowhere
# else in the program, so fetch, push and the daemon cannot drift apart.
others=$(grep -rlE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]curl/' src | grep -v '^src/net/')
if [ -z "$others" ] && grep -q '^#include <curl/curl.h>' src/net/net.c 2>/dev/null; then
	pass "only src/net/ includes <curl/curl.h>"
else
	fail "only src/net/ includes <curl/curl.h>" "also in: $(echo $others)"
fi

if sh tools/lint.sh >"$TMP/lint" 2>&1; then pass "house style (tools/lint.sh)"; else
	fail "house style (tools/lint.sh)" "$(head -n 20 "$TMP/lint")"; fi

# A fresh machine: `make run`, `make check`, `make bench` and `make
# bench-cycle` install the libraries (tools/deps.sh) and only then read their
# pkg-config flags. A copy of the tree where deps.sh "installs" them (a
# marker pkg-config waits for) and the compiler, demo, suite and bench only
# record what they were given.
tree=$TMP/fresh
mkdir -p "$tree/tools" "$tree/tests/unit" "$tree/tests/fuzz" "$tree/tests/fault" "$TMP/bin"
cp Makefile "$tree/"
cp -R src "$tree/src"
cp tools/*.c tools/*.h "$tree/tools/"
cp tests/unit/*.[ch] "$tree/tests/unit/"
cp tests/fuzz/*.[ch] "$tree/tests/fuzz/"
cp tests/fault/*.[ch] "$tree/tests/fault/"
cat >"$TMP/bin/pkg-config" <<PC
#!/bin/sh
[ -f "$TMP/installed" ] || exit 1
case "\$*" in *--cflags*) echo -DFRESH_DEPS ;; *--libs*) echo -lfreshcurl ;; esac
PC
cat >"$TMP/bin/cc" <<CC
#!/bin/sh
echo "\$*" >>"$TMP/cc.log"
while [ \$# -gt 1 ]; do [ "\$1" = -o ] && : >"\$2"; shift; done
CC
printf 'touch "%s/installed"\n' "$TMP" >"$tree/tools/deps.sh"
for f in tools/run-demo.sh tools/bench.sh tools/bench-daemon.sh tests/run.sh; do
	printf 'echo "%s ran"\n' "$f" >"$tree/$f"
done
for f in tools/bench-memory.py tools/bench-cycle.py; do
	printf 'print("%s ran")\n' "$f" >"$tree/$f"
done
chmod +x "$TMP/bin/pkg-config" "$TMP/bin/cc"
for target in run check bench bench-cycle; do
	rm -rf "$TMP/installed" "$TMP/cc.log" "$tree/build"
	# The outer make's SAN=, ARCH=, LIBC= (and run.sh's BUILD) reach us through the
	# environment; this is the plain native build.
	env -u SAN -u ARCH -u LIBC -u BUILD -u CROSS_COMPILE -u SYSROOT -u TEST_WRAPPER \
		make -C "$tree" -j2 CC="$TMP/bin/cc" PKG_CONFIG="$TMP/bin/pkg-config" "$target" \
		>"$TMP/fresh.out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q -- '-o build/digestd .*-lfreshcurl' "$TMP/cc.log" &&
		! grep -- '-c ' "$TMP/cc.log" | grep -qv -- '-DFRESH_DEPS'; then
		pass "fresh machine: make $target links with the flags of the libraries deps.sh installed"
	else
		fail "fresh machine: make $target links with the flags of the libraries deps.sh installed" \
			"exit $rc; link: ...$(grep -- '-o build/digestd ' "$TMP/cc.log" | tail -c 60)" \
			"$(tail -n 3 "$TMP/fresh.out")"
	fi
done
