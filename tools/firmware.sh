#!/bin/sh
# SPDX-License-Identifier: MIT
# `make firmware ARCH=arm64|armhf|armv6 [LIBC=musl|glibc]`: a fully static
# digestd in build/firmware-ARCH-musl/digestd (musl, the default) or build/firmware-ARCH/,
# with zlib, mbedtls and a minimal libcurl (and, on musl, inih) built from
# Debian's source packages (private apt setup; all cached under build/;
# tools/apt-source.sh falls back to the release suite's version when the
# mirror lacks the newest). The versions file beside digestd says which went in.
set -eu

arch=${1:-}
libc=${2:-musl}
case $arch in
arm64) triplet=aarch64-linux-gnu musl=aarch64-linux-musl debarch=arm64 tune="" ;;
armhf) triplet=arm-linux-gnueabihf musl=arm-linux-musleabihf debarch=armhf tune="" ;;
# Pi Zero/1: Debian's armel (ARMv5TE, soft-float ABI) libc and libgcc run on
# ARMv6; our code and the libraries built here also use the VFP unit, through
# the soft-float calling convention (softfp) so that they link with armel's libc.
armv6) triplet=arm-linux-gnueabi musl=arm-linux-musleabi debarch=armel
	tune="-march=armv6+fp -mtune=arm1176jzf-s -mfloat-abi=softfp -marm" ;;
*)
	echo "usage: sh tools/firmware.sh arm64|armhf|armv6 [musl|glibc]" >&2
	exit 64
	;;
esac
case $libc in
musl | glibc) ;;
*)
	echo "firmware: LIBC=$libc: use glibc or musl" >&2
	exit 64
	;;
esac

sh tools/deps.sh "firmware-$arch"

top=$(pwd)
src=$top/build/firmware-src
# Library builds live under build/firmware-src, which the Makefile does not
# scan for dependency (.d) files: curl's documentation has .d files too.
if [ "$libc" = glibc ]; then
	sysroot=$top/build/sysroot-$arch
	work=build/firmware-$arch
	libs=$src/$arch
	cc="$triplet-gcc --sysroot=$sysroot"
else
	sysroot=$top/build/sysroot-musl-$arch
	work=build/firmware-$arch-musl
	libs=$src/$arch-musl
	# -static for gcc itself (a specs file cannot say it): else a PIE link
	# with a dynamic loader.
	cc="$triplet-gcc -specs=$sysroot/musl.specs -static"
fi
prefix=$libs/prefix
# No unwind tables (.eh_frame, 80 KB on arm64): C code here never unwinds
# (no C++, no pthread_cancel, no backtraces), and the table would be code
# pages the kernel maps around each fault.
cflags="$tune -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables"
jobs=$(nproc 2>/dev/null || echo 2)
mkdir -p "$src" "$libs" "$work"

# Private apt state: only deb-src lines, for the mirrors this machine's apt
# already uses (tools/apt-mirrors.sh), so /etc/apt stays as it is.
apt_dir=$src/apt
apt_opts="-o Dir::Etc::SourceList=$apt_dir/sources.list -o Dir::Etc::SourceParts=$apt_dir/none
-o Dir::State::Lists=$apt_dir/lists -o Dir::Cache=$apt_dir/cache -o Debug::NoLocking=1"
codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
fetch_source() { # PACKAGE: Debian's source of PACKAGE in $src/PACKAGE/tree
	[ -f "$src/$1/version" ] && return 0
	if [ ! -e "$apt_dir/updated" ]; then
		mkdir -p "$apt_dir/none" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
		sh tools/apt-mirrors.sh | awk '{
			print "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]", $1, $2, "main"
		}' >"$apt_dir/sources.list"
		if ! grep -q " $codename main\$" "$apt_dir/sources.list"; then
			echo "firmware: no '$codename' suite in this machine's apt sources" >&2
			exit 69
		fi
		echo "firmware: Debian sources from:"
		sed 's/^/  /' "$apt_dir/sources.list"
		# shellcheck disable=SC2086
		apt-get -q $apt_opts update >"$apt_dir/update.log" 2>&1 ||
			{ cat "$apt_dir/update.log" >&2; exit 69; }
		touch "$apt_dir/updated"
	fi
	APT_OPTS=$apt_opts sh tools/apt-source.sh "$1" "$src/$1" "$codename"
}

# Each library is built in its own copy of the unpacked source, so the
# architectures never share object files; a stamp holding the source's version
# marks a finished install (a new source version is built again).
build_copy() { # PACKAGE
	rm -rf "${libs:?}/$1"
	cp -a "$src/$1/tree" "$libs/$1"
}

deb_version() { # TREE PACKAGE: the version of PACKAGE unpacked in TREE (an
	# extract-only tree has no dpkg status: the changelog's first line names it)
	gzip -dc "$1/usr/share/doc/$2/changelog.Debian.gz" | sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p'
}

# musl: Debian's musl-dev (libc.a, start files, headers) and the kernel
# headers, unpacked into a sysroot of their own; the Debian cross gcc then
# uses them in place of glibc through a specs file, as musl-tools' musl-gcc
# does, with the cross gcc's own libgcc and crtbegin/crtend. libgcc and libc
# are one link group: armel's libgcc calls raise() (division by zero).
if [ "$libc" = musl ] && [ ! -f "$sysroot/musl.specs" ]; then
	echo "firmware: musl sysroot $sysroot ($debarch)"
	rm -rf "$sysroot" "$sysroot.tmp"
	mirrors=$(sh tools/apt-mirrors.sh | awk '{ print "deb " $1 " " $2 " main" }')
	(
		set -f
		IFS='
'
		# shellcheck disable=SC2086
		mmdebstrap --quiet --variant=extract --arch="$debarch" \
			--aptopt='Apt::Install-Recommends "false"' --include=musl-dev,linux-libc-dev \
			"$codename" "$sysroot.tmp" $mirrors
	)
	# Only musl and the kernel headers are kept (musl-dev also pulls in a
	# native gcc for the target, of no use here).
	mkdir -p "$sysroot/include" "$sysroot/lib"
	cp -R "$sysroot.tmp/usr/include/$musl/." "$sysroot/include/"
	cp -R "$sysroot.tmp/usr/lib/$musl/." "$sysroot/lib/"
	for d in linux asm-generic; do
		cp -R "$sysroot.tmp/usr/include/$d" "$sysroot/include/"
	done
	cp -R "$sysroot.tmp/usr/include/$triplet/asm" "$sysroot/include/"
	deb_version "$sysroot.tmp" musl-dev >"$sysroot/version"
	rm -rf "$sysroot.tmp"
	gcc_include=$("$triplet-gcc" -print-file-name=include)
	cat >"$sysroot/musl.specs.tmp" <<EOF
%rename cpp_options old_cpp_options

*cpp_options:
-nostdinc -isystem $sysroot/include -isystem $gcc_include %(old_cpp_options)

*cc1:
%(cc1_cpu) -nostdinc -isystem $sysroot/include -isystem $gcc_include

*link_libgcc:
-L$sysroot/lib -L .%s

*libgcc:
libgcc.a%s %:if-exists(libgcc_eh.a%s)

*startfile:
$sysroot/lib/crt1.o $sysroot/lib/crti.o crtbeginT.o%s

*endfile:
crtend.o%s $sysroot/lib/crtn.o

*link:
-nostdlib -static %{rdynamic:-export-dynamic}

*link_gcc_c_sequence:
--start-group %G %L --end-group

EOF
	mv "$sysroot/musl.specs.tmp" "$sysroot/musl.specs"
fi

fetch_source zlib
fetch_source mbedtls
fetch_source curl

# A library is built again when its source version or its recipe (compiler,
# flags, configure options) differs from the last install's: a changed
# option (SMTP added to libcurl, say) must not leave the old library linked.
stale() { # PACKAGE RECIPE
	! cmp -s "$src/$1/version" "$libs/$1.done" || [ "$(cat "$libs/$1.recipe" 2>/dev/null)" != "$2" ]
}
installed() { # PACKAGE RECIPE
	printf '%s\n' "$2" >"$libs/$1.recipe"
	cp "$src/$1/version" "$libs/$1.done"
	rebuilt=yes
}

rebuilt=no
# zlib's CRC-32 byte by byte (Z_TESTW empty: crc32.c then compiles no
# "braided" word-at-a-time tables): the same checksums, 8 KiB less of
# read-only tables, which the kernel maps in with the code around them. The
# CRC only checks a gzip body, a few hundred KB at most: its speed does not
# show.
zlib_cflags="$cflags -DZ_TESTW="
if stale zlib "$cc $zlib_cflags"; then
	echo "firmware: zlib for $arch"
	build_copy zlib
	(cd "$libs/zlib" && CC="$cc" CFLAGS="$zlib_cflags" AR="$triplet-ar" RANLIB="$triplet-ranlib" \
		./configure --static --prefix="$prefix" >configure.log &&
		make -j"$jobs" libz.a >make.log && make install >install.log) ||
		{ echo "firmware: zlib failed; see $libs/zlib/*.log" >&2; exit 1; }
	installed zlib "$cc $zlib_cflags"
fi

# mbedtls: Debian's configuration less what a TLS 1.2 client (and the test
# suite's digest-sink server, built with the same libraries on musl) never
# uses. The linker drops unreferenced functions anyway; these are reached
# through tables (cipher and curve lists, ciphersuites) or compiled into the
# shared TLS code (DTLS, debug messages, TLS 1.0/1.1, which RFC 8996 retired).
# Kept: RSA, ECDSA, (EC)DHE, AES-GCM/CBC, ChaCha20-Poly1305, SHA-1/2, MD5,
# P-256/384/521 and X25519, PEM and PKCS#8 keys without a passphrase (the
# client key has none: digestd sets no key password).
mbedtls_unset="MBEDTLS_DEBUG_C MBEDTLS_SSL_PROTO_TLS1 MBEDTLS_SSL_PROTO_TLS1_1
MBEDTLS_SSL_CBC_RECORD_SPLITTING MBEDTLS_SSL_PROTO_DTLS MBEDTLS_SSL_DTLS_ANTI_REPLAY
MBEDTLS_SSL_DTLS_HELLO_VERIFY MBEDTLS_SSL_DTLS_CLIENT_PORT_REUSE MBEDTLS_SSL_DTLS_BADMAC_LIMIT
MBEDTLS_SSL_TRUNCATED_HMAC MBEDTLS_SSL_CONTEXT_SERIALIZATION MBEDTLS_SSL_EXPORT_KEYS
MBEDTLS_KEY_EXCHANGE_PSK_ENABLED MBEDTLS_KEY_EXCHANGE_DHE_PSK_ENABLED
MBEDTLS_KEY_EXCHANGE_ECDHE_PSK_ENABLED MBEDTLS_KEY_EXCHANGE_RSA_PSK_ENABLED
MBEDTLS_KEY_EXCHANGE_ECDH_ECDSA_ENABLED MBEDTLS_KEY_EXCHANGE_ECDH_RSA_ENABLED
MBEDTLS_ARC4_C MBEDTLS_BLOWFISH_C MBEDTLS_XTEA_C MBEDTLS_CAMELLIA_C MBEDTLS_DES_C
MBEDTLS_CCM_C MBEDTLS_RIPEMD160_C MBEDTLS_PKCS5_C MBEDTLS_PKCS12_C
MBEDTLS_CIPHER_MODE_CFB MBEDTLS_CIPHER_MODE_OFB MBEDTLS_CIPHER_MODE_XTS
MBEDTLS_ECP_DP_SECP192R1_ENABLED MBEDTLS_ECP_DP_SECP224R1_ENABLED
MBEDTLS_ECP_DP_SECP192K1_ENABLED MBEDTLS_ECP_DP_SECP224K1_ENABLED
MBEDTLS_ECP_DP_SECP256K1_ENABLED MBEDTLS_ECP_DP_BP256R1_ENABLED
MBEDTLS_ECP_DP_BP384R1_ENABLED MBEDTLS_ECP_DP_BP512R1_ENABLED MBEDTLS_ECP_DP_CURVE448_ENABLED"
# Set: AES with one table each way, the other three of each computed by
# rotation: 6 KiB less of tables, which the first TLS connection writes
# (AES also drives the CTR_DRBG), for a few more instructions a round.
mbedtls_set="MBEDTLS_AES_FEWER_TABLES"
if stale mbedtls "$cc $cflags $mbedtls_unset $mbedtls_set"; then
	echo "firmware: mbedtls for $arch"
	build_copy mbedtls
	# shellcheck disable=SC2086
	(cd "$libs/mbedtls" && for o in $mbedtls_unset; do python3 scripts/config.py unset "$o" || exit; done &&
		for o in $mbedtls_set; do python3 scripts/config.py set "$o" || exit; done &&
		make -j"$jobs" -C library CC="$cc" AR="$triplet-ar" CFLAGS="$cflags" static >make.log &&
		mkdir -p "$prefix/lib" "$prefix/include" &&
		cp library/libmbedtls.a library/libmbedx509.a library/libmbedcrypto.a "$prefix/lib/" &&
		cp -R include/mbedtls include/psa "$prefix/include/") ||
		{ echo "firmware: mbedtls failed; see $libs/mbedtls/make.log" >&2; exit 1; }
	installed mbedtls "$cc $cflags $mbedtls_unset $mbedtls_set"
fi

# libcurl with what digestd uses: HTTP(S), and SMTP(S) for email endpoints,
# over mbedtls; gzip/deflate through zlib (feeds and pages compress several
# times over; the decoder costs 15-23 KB of code and 40 KB of RAM per
# transfer); proxies from the environment; a resolver thread so that a slow
# DNS lookup is abandoned at the connect timeout or on the stop flag (the
# whole transfer still blocks). No verbose strings or progress meter: digestd
# sets neither CURLOPT_VERBOSE nor CURLOPT_NOPROGRESS. The CA bundle is
# Debian's and Pi OS's file; no CA path, since mbedtls builds fail when that
# folder is missing.
curl_opts="--disable-shared --enable-static --without-openssl
--with-ca-bundle=/etc/ssl/certs/ca-certificates.crt --without-ca-path
--enable-http --enable-smtp --disable-ftp --disable-file --disable-ldap --disable-ldaps
--disable-rtsp --disable-dict --disable-telnet --disable-tftp --disable-pop3
--disable-imap --disable-smb --disable-gopher --disable-mqtt
--disable-manual --disable-ntlm --disable-ntlm-wb --disable-unix-sockets
--disable-alt-svc --disable-cookies --disable-docs --disable-doh --disable-mime
--disable-netrc --disable-hsts --disable-aws --disable-dnsshuffle
--disable-get-easy-options --disable-crypto-auth --disable-tls-srp
--without-brotli --without-zstd --without-libpsl --without-nghttp2
--without-libidn2 --without-librtmp --without-libssh2 --without-libgsasl
--disable-verbose --disable-progress-meter --enable-threaded-resolver"
# The socket hash: libcurl's default of 911 lists (29 KB on arm64, all
# written on the first socket) serves tens of thousands of sockets; digestd
# has at most NET_MAX_FDS (128), and curl's own earlier default, 97, takes 3 KB.
curl_cppflags="-DCURL_SOCKET_HASH_TABLE_SIZE=97"
if stale curl "$cc $cflags $curl_cppflags $curl_opts"; then
	echo "firmware: libcurl for $arch"
	build_copy curl
	# Debian's patches touch configure.ac; the shipped configure is current
	# enough, and autoreconf is not needed if make sees nothing stale.
	# shellcheck disable=SC2086
	(cd "$libs/curl" && touch aclocal.m4 && touch configure && find . -name Makefile.in -exec touch {} + &&
		./configure --host="$triplet" CC="$cc" CFLAGS="$cflags" CPPFLAGS="-I$prefix/include $curl_cppflags" \
			LDFLAGS="-L$prefix/lib" --prefix="$prefix" --with-mbedtls="$prefix" \
			--with-zlib="$prefix" $curl_opts >configure.log 2>&1 &&
		make -j"$jobs" -C lib >make.log 2>&1 &&
		make -C lib install >install.log 2>&1 && make -C include install >>install.log 2>&1) ||
		{ echo "firmware: libcurl failed; see $libs/curl/*.log" >&2; exit 1; }
	sed -n '/Protocols:/p;/SSL:/p;/ZLIB:/p' "$libs/curl/configure.log"
	installed curl "$cc $cflags $curl_cppflags $curl_opts"
fi

# inih on musl: Debian's own libinih.a from the glibc sysroot (same ini
# behaviour as the dynamic build; the mirror lacks libinih's source tarball).
# It calls only fopen64, fgets, fclose, malloc, realloc, free, strchr, strlen,
# __ctype_b_loc and the stack protector, which musl's libc.a provides under
# the same names; its header is copied so no glibc header is on the path.
if [ "$libc" = musl ]; then
	mkdir -p "$prefix/include"
	cp "$top/build/sysroot-$arch/usr/include/ini.h" "$prefix/include/"
fi

# digestd itself through the Makefile, with the libraries above and (glibc)
# the sysroot's libinih.a (Debian's own build: same ini behaviour as the
# dynamic build). The map file lets `make size` say which library takes the space.
echo "firmware: digestd for $arch ($libc)"
# The Makefile does not know the libraries: relink after one was rebuilt.
[ "$rebuilt" = no ] || rm -f "$work/digestd" "$work"/digestd-pad*
# On musl the Makefile's LIBC=musl settings name the same libraries.
if [ "$libc" = musl ]; then
	set -- ARCH="$arch" LIBC=musl
else
	set -- ARCH= LIBC=glibc CROSS_COMPILE="$triplet-" SYSROOT="$sysroot" DEP_CFLAGS="-I$prefix/include" \
		DEP_LIBS="$prefix/lib/libcurl.a $prefix/lib/libmbedtls.a $prefix/lib/libmbedx509.a \
$prefix/lib/libmbedcrypto.a $prefix/lib/libz.a -linih -lpthread"
fi
link() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s -j"$jobs" "$@" BUILD="$work" \
		CFLAGS="$cflags"
}
link "$@" LDFLAGS="-static -Wl,--gc-sections -Wl,-Map=$work/digestd.map" "$work/digestd"
# LAYOUT_PADS="1024 2048 3072" (make bench-libc): the same program linked
# with its code moved by that many bytes, digestd-padN, without a map (the
# map stays digestd's).
for pad in ${LAYOUT_PADS:-}; do
	link "$@" LDFLAGS="-static -Wl,--gc-sections" "$work/digestd-pad$pad"
done
# Which sources went in (`make size` prints it): a fallback to the release
# suite shows here.
{
	for p in zlib mbedtls curl; do
		printf '%s %s\n' "$p" "$(cat "$libs/$p.done")"
	done
	if [ "$libc" = musl ]; then
		printf 'libinih %s (Debian'"'"'s libinih.a)\n' "$(deb_version "$top/build/sysroot-$arch" libinih-dev)"
		printf 'musl %s\n' "$(cat "$sysroot/version")"
	fi
} >"$work/versions"
echo "firmware: $work/digestd, built from:"
sed 's/^/  /' "$work/versions"
