#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian packages digestd needs to build, test and run its tools,
# only those missing, saying which. Run as root on Debian 12; as another user
# it only lists what is missing. With an ARM target (arm64, armhf, armv6) it
# also installs the cross toolchain and qemu-user, and makes a Debian sysroot;
# firmware-ARCH adds what `make firmware` and `make boot-test` need, bench
# what `make bench` needs besides.
set -eu

arch=${1:-}
# firmware-ARCH: also what tools/firmware.sh and tools/boot-test.sh need.
firmware=no
# bench (native only): also valgrind, for tools/bench-daemon.sh's leak check;
# 89 MB installed with libc6-dbg (22 MB to download): too much to add to
# every make run and make check.
bench=no
case $arch in
firmware-*) firmware=yes arch=${arch#firmware-} ;;
bench) bench=yes arch= ;;
esac
debarch=$arch
case $arch in
"") ;;
arm64) triplet=aarch64-linux-gnu ;;
armhf) triplet=arm-linux-gnueabihf ;;
# Pi Zero/1: Debian's armhf is ARMv7; armel (ARMv5TE) runs on ARMv6.
armv6) triplet=arm-linux-gnueabi debarch=armel ;;
*)
	echo "usage: sh tools/deps.sh [bench | [firmware-]arm64|armhf|armv6 [SYSROOT]]" >&2
	exit 64
	;;
esac

# chromium: the HTML digest checked in a real browser (tests/cli/html_browser.sh);
# pngquant: `make screenshots` (docs/img); python3-aiosmtpd: the SMTP server of
# test_push (tests/cli/fake_smtp.py).
pkgs="gcc make libc6-dev pkg-config libcurl4-openssl-dev libmbedtls-dev libinih-dev
ca-certificates python3 ots clang libclang-rt-14-dev time curl openssl python3-readability strace man-db
python3-aiosmtpd
chromium pngquant"

if [ -n "$arch" ]; then
	pkgs="$pkgs gcc-$triplet binutils-$triplet qemu-user mmdebstrap arch-test"
fi
# Source packages, the boot-test image (a foreign chroot for mmdebstrap
# needs qemu-user-static through binfmt) and the emulated boards.
if [ "$firmware" = yes ]; then
	pkgs="$pkgs dpkg-dev qemu-user-static binfmt-support qemu-system-arm e2fsprogs cpio
device-tree-compiler"
fi

[ "$bench" = no ] || pkgs="$pkgs valgrind"

missing=""
for p in $pkgs; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $status in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
if [ -n "$missing" ]; then
	echo "tools/deps.sh: installing missing Debian packages:$missing"
	if [ "$(id -u)" -ne 0 ]; then
		echo "tools/deps.sh: not root; install them with: apt-get install$missing" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi
[ -z "$arch" ] && exit 0

# The sysroot: the target's -dev packages and their dependencies unpacked
# (not configured) into a folder, so the host's dpkg never sees a foreign
# architecture and host and target versions need not move in lock-step.
sysroot=${2:-build/sysroot-$arch}
[ -d "$sysroot/usr/include" ] && exit 0

# Prints "URI SUITE" for each enabled deb source of this machine's apt, in
# one-line and deb822 formats, so the sysroot comes from the same mirror.
apt_sources() {
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk '$1 == "deb" {
			i = 2
			if ($2 ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
			print $i, $(i + 1)
		}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk 'function flush(  u, s, nu, ns, us, ss) {
			if (types ~ /(^| )deb( |$)/ && enabled != "no") {
				nu = split(uris, us, " "); ns = split(suites, ss, " ")
				for (u = 1; u <= nu; u++) for (s = 1; s <= ns; s++) print us[u], ss[s]
			}
			types = ""; uris = ""; suites = ""; enabled = ""
		}
		/^[ \t]*$/ { flush(); next }
		/^#/ { next }
		{ key = tolower($1); $1 = "" }
		key == "types:" { types = $0 }
		key == "uris:" { uris = $0 }
		key == "suites:" { suites = $0 }
		key == "enabled:" { enabled = tolower($0); gsub(/ /, "", enabled) }
		END { flush() }' "$f"
	done
}

codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
lines=$(apt_sources | awk -v c="$codename" '$2 == c || $2 == c "-updates" || $2 == c "-security" {
	print "deb " $1 " " $2 " main" }' | sort -u)
case $lines in
*" $codename main"*) ;;
*)
	echo "tools/deps.sh: no '$codename' suite in the apt sources; cannot make $sysroot" >&2
	exit 69
	;;
esac
if [ "$(id -u)" -ne 0 ]; then
	echo "tools/deps.sh: not root; make the sysroot with: sh tools/deps.sh $arch" >&2
	exit 1
fi
echo "tools/deps.sh: making the $arch sysroot $sysroot from:"
printf '%s\n' "$lines" | sed 's/^/  /'
mkdir -p "$(dirname "$sysroot")"
set -f
IFS='
'
make_sysroot() {
	rm -rf "$sysroot.tmp"
	# shellcheck disable=SC2086
	mmdebstrap --quiet --variant=extract --arch="$debarch" \
		--include=libc6-dev,libcurl4-openssl-dev,libmbedtls-dev,libinih-dev \
		"$codename" "$sysroot.tmp" $1
}
# A mirror can serve a security index for one architecture out of step with
# its Release file (seen for armhf): the release's own versions still build
# and test the same code, so fall back to them rather than fail.
if ! make_sysroot "$lines"; then
	case $lines in
	*-security*) ;;
	*) exit 1 ;;
	esac
	lines=$(printf '%s\n' "$lines" | grep -v -- '-security ')
	echo "tools/deps.sh: $arch sysroot failed with the security suite; retrying without it" >&2
	make_sysroot "$lines"
fi
mv "$sysroot.tmp" "$sysroot"
