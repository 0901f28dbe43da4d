#!/bin/sh
# SPDX-License-Identifier: MIT
# Name resolution of the static musl build (make check ARCH=... LIBC=musl):
# musl reads /etc/hosts and /etc/resolv.conf itself, with no NSS modules.
# qemu-user's -L serves the guest's /etc from a folder of ours, so the test
# gives the program its own hosts file, and a resolv.conf naming a small DNS
# responder (tests/cli/dns_answer.py, on port 53 of a loopback address of
# its own: needs root). The name is the one the HTTPS test server's "wrong"
# certificate carries, so a fetch succeeds only if the name resolved.
# check's conditions are single-quoted and eval'd:
# shellcheck disable=SC2016,SC2034
. tests/cli/lib.sh
if [ "${TEST_LIBC:-glibc}" != musl ] || [ -z "$TEST_WRAPPER" ]; then
	echo "SKIP: resolve: only for the static musl build under qemu-user (TEST_LIBC=musl, set by make check LIBC=musl)"
	exit 0
fi
. tests/cli/httpd.lib

NAME=wronghost.invalid
f=rss2-fr.xml
digestd fetch --format json "$FEEDS/$f" >"$TMP/local" 2>/dev/null

# guest ROOT ARGS...: digestd with ROOT's files in place of the host's /etc.
guest() {
	root=$1
	shift
	# shellcheck disable=SC2086
	$TEST_WRAPPER -L "$root" "$DIGESTD" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
}
mkroot() { # DIR HOSTS RESOLV
	mkdir -p "$1/etc"
	printf '%s\n' "$2" >"$1/etc/hosts"
	printf '%s\n' "$3" >"$1/etc/resolv.conf"
}

# A hosts entry; the nameserver is an address nothing listens on.
mkroot "$TMP/hosts" "127.0.0.1 localhost
127.0.0.1 $NAME" "nameserver 127.0.0.1
options timeout:1 attempts:1"
# shellcheck disable=SC2086
guest "$TMP/hosts" fetch --format json $CA "https://$NAME:$WRONG/feeds/$f"
check "/etc/hosts: $NAME resolves, the feed is fetched" '[ $RC -eq 0 ] && cmp -s "$TMP/out" "$TMP/local"'

# Without the entry the same fetch fails at resolution: the pass above came
# from the hosts file, not from the host's resolver.
mkroot "$TMP/none" "127.0.0.1 localhost" "nameserver 127.0.0.1
options timeout:1 attempts:1"
# shellcheck disable=SC2086
guest "$TMP/none" fetch --format json $CA "https://$NAME:$WRONG/feeds/$f"
check "no hosts entry, no DNS: $NAME does not resolve" '[ $RC -ne 0 ] && grep -qi "resolve" "$TMP/err"'

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: resolve: the DNS responder needs root (port 53)"
	exit 0
fi
# A loopback address of this test's own, so parallel runs do not collide.
DNS=127.53.$(($$ / 250 % 250 + 1)).$(($$ % 250 + 1))
python3 tests/cli/dns_answer.py "$DNS" "$NAME" 127.0.0.1 "$TMP/dns.ready" "$TMP/dns.log" \
	>"$TMP/dns.out" 2>&1 &
DNS_PID=$!
trap 'kill "$DNS_PID" 2>/dev/null; stop_server; rm -rf "$TMP"' EXIT
i=0
while [ ! -s "$TMP/dns.ready" ] && [ $i -lt 100 ] && kill -0 "$DNS_PID" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
check "tests/cli/dns_answer.py starts on $DNS" '[ -s "$TMP/dns.ready" ]' "$TMP/dns.out"

mkroot "$TMP/dns" "127.0.0.1 localhost" "nameserver $DNS
options timeout:2 attempts:2"
# shellcheck disable=SC2086
guest "$TMP/dns" fetch --format json $CA "https://$NAME:$WRONG/feeds/$f"
check "DNS: $NAME resolves through the responder, the feed is fetched" \
	'[ $RC -eq 0 ] && cmp -s "$TMP/out" "$TMP/local"'
check "DNS: the responder was asked for $NAME's A record" 'grep -qx "$NAME 1" "$TMP/dns.log"' "$TMP/dns.log"

# A name the responder does not know: NXDOMAIN, a resolution error.
# shellcheck disable=SC2086
guest "$TMP/dns" fetch --format json $CA "https://absent.invalid:$WRONG/feeds/$f"
check "DNS: an unknown name does not resolve" '[ $RC -ne 0 ] && grep -qi "resolve" "$TMP/err"'
