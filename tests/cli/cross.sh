#!/bin/sh
# SPDX-License-Identifier: MIT
# Board-build plumbing of the Makefile (make -n, nothing is built): ARCH picks
# the cross prefix, sysroot, sysroot pkg-config, build folder and qemu-user
# wrapper; CROSS_COMPILE alone adds no sysroot; unknown ARCH is refused.
. tests/cli/lib.sh
# The outer make's command-line variables (ARCH=, SAN=1, LIBC=...) reach sub-makes
# through MAKEFLAGS; these checks want the Makefile's own defaults.
unset MAKEFLAGS MFLAGS MAKELEVEL LIBC

# A stand-in sysroot with one .pc file shows pkg-config reading it and
# prefixing its paths; it has usr/include, so make does not create a real one.
sr=$TMP/sr
mkdir -p "$sr/usr/include" "$sr/usr/lib/aarch64-linux-gnu/pkgconfig" "$sr/usr/share/pkgconfig"
for pc in libcurl inih; do
	printf '%s\n' "Name: $pc" "Description: stand-in" "Version: 1" \
		"Cflags: -I/usr/include/fake-$pc" "Libs: -lfake-$pc" \
		>"$sr/usr/lib/aarch64-linux-gnu/pkgconfig/$pc.pc"
done

make -n -B ARCH=arm64 SYSROOT="$sr" BUILD="$TMP/b" "$TMP/b/digestd" >"$TMP/n" 2>&1
expect_grep "ARCH=arm64 compiles with aarch64-linux-gnu-gcc" '^aarch64-linux-gnu-gcc .*-c ' "$TMP/n"
expect_grep "ARCH=arm64 passes --sysroot to the compiler" "^aarch64-linux-gnu-gcc .*--sysroot=$sr .*-c " "$TMP/n"
expect_grep "ARCH=arm64 passes --sysroot to the linker" "^aarch64-linux-gnu-gcc .*--sysroot=$sr .*-o $TMP/b/digestd " "$TMP/n"
expect_grep "pkg-config reads the sysroot's .pc files, paths prefixed" "-I$sr/usr/include/fake-libcurl" "$TMP/n"
expect_grep "pkg-config libraries come from the sysroot's .pc files" '-lfake-inih' "$TMP/n"

make -n -B ARCH=armhf SYSROOT="$sr" BUILD="$TMP/b" "$TMP/b/digestd" >"$TMP/n" 2>&1
expect_grep "ARCH=armhf compiles with arm-linux-gnueabihf-gcc" '^arm-linux-gnueabihf-gcc .*-c ' "$TMP/n"

# The defaults: build folder and wrapper (run.sh exports TEST_WRAPPER and
# BUILD, which would take precedence over them).
env -u TEST_WRAPPER -u BUILD -u SAN make -n ARCH=arm64 SYSROOT="$sr" check-only >"$TMP/n" 2>&1
expect_grep "ARCH=arm64 builds into build/arm64" 'DIGESTD=build/arm64/digestd BUILD=build/arm64 ' "$TMP/n"
expect_grep "ARCH=arm64 runs the tests under qemu-aarch64 -L SYSROOT" \
	"TEST_WRAPPER=\"qemu-aarch64 -L $sr\"" "$TMP/n"
env -u TEST_WRAPPER -u BUILD -u SAN make -n ARCH=armhf SYSROOT="$sr" check-only >"$TMP/n" 2>&1
expect_grep "ARCH=armhf runs the tests under qemu-arm" "TEST_WRAPPER=\"qemu-arm -L $sr\"" "$TMP/n"

make -n -B ARCH= CROSS_COMPILE=arm-linux-gnueabihf- BUILD="$TMP/b" "$TMP/b/digestd" >"$TMP/n" 2>&1
if grep -q '^arm-linux-gnueabihf-gcc ' "$TMP/n" && ! grep -q -- '--sysroot' "$TMP/n"; then
	pass "CROSS_COMPILE alone: cross compiler, no sysroot"
else
	fail "CROSS_COMPILE alone: cross compiler, no sysroot" "$(head -c 300 "$TMP/n")"
fi

expect_status "ARCH=bogus is refused" 2 make -n ARCH=bogus BUILD="$TMP/b" "$TMP/b/digestd"
expect_grep "ARCH=bogus: the message names the choices" 'arm64 armhf' "$TMP/err"
