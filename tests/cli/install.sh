#!/bin/sh
# SPDX-License-Identifier: MIT
# `make install DESTDIR= PREFIX=`: the binary, the unit (naming the installed
# paths), the example config and a signing key (each kept when present) and
# the man pages, which render without warnings and document every config key.
. tests/cli/lib.sh
: "${BUILD:=build}"

# install_to DESTDIR PREFIX [VAR=VALUE...]; -o: install the binary under
# test as it is, never rebuild it here.
install_to() {
	dest=$1 prefix=$2
	shift 2
	make --no-print-directory -o "$BUILD/digestd" install BUILD="$BUILD" DESTDIR="$dest" \
		PREFIX="$prefix" "$@" >"$TMP/make.out" 2>&1
}

root=$TMP/root
if install_to "$root" /usr; then pass "make install DESTDIR PREFIX=/usr"; else
	fail "make install DESTDIR PREFIX=/usr" "$(tail -n 5 "$TMP/make.out")"; fi
for f in usr/bin/digestd usr/lib/systemd/system/digestd.service etc/digestd/digestd.ini \
	usr/share/man/man8/digestd.8 usr/share/man/man5/digestd.ini.5; do
	if [ -f "$root/$f" ]; then pass "installed $f"; else fail "installed $f"; fi
done
if [ -x "$root/usr/bin/digestd" ]; then pass "binary is executable"; else fail "binary is executable"; fi
# shellcheck disable=SC2086
if $TEST_WRAPPER "$root/usr/bin/digestd" version | grep -q '^digestd '; then
	pass "installed binary runs"; else fail "installed binary runs"; fi
expect_same "unit installed as is for PREFIX=/usr" "$root/usr/lib/systemd/system/digestd.service" \
	firmware/digestd.service
expect_same "example config installed" "$root/etc/digestd/digestd.ini" config/digestd.ini
# check-config checks the signing key as `run` does: beside the config here
# (under systemd it is a credential), private.
[ -e "$root/etc/digestd/signing-key" ] ||
	(umask 077 && printf 'whsec_%s\n' "$(head -c 32 /dev/urandom | base64)" >"$root/etc/digestd/signing-key")
expect_status "installed config checks" 0 digestd check-config --config "$root/etc/digestd/digestd.ini"


# The signing key the unit's LoadCredential= names: made by the first install
# (whsec_ and the base64 of 32 random bytes, mode 0600), never replaced.
key=$root/etc/digestd/signing-key
expect_grep "the unit loads the key make install writes" \
	'^LoadCredential=signing-key:/etc/digestd/signing-key$' "$root/usr/lib/systemd/system/digestd.service"
if [ -f "$key" ] && [ "$(stat -c %a "$key")" = 600 ] && grep -qxE 'whsec_[A-Za-z0-9+/]{43}=' "$key" &&
	[ "$(wc -l <"$key")" -eq 1 ] && [ "$(sed 's/^whsec_//' "$key" | base64 -d | wc -c)" -eq 32 ]; then
	pass "make install creates the signing key: whsec_ + 32 random bytes, mode 0600"
else
	fail "make install creates the signing key: whsec_ + 32 random bytes, mode 0600" \
		"$(ls -l "$key" 2>&1)"
fi
printf '{}' >"$TMP/body.json"
# shellcheck disable=SC2086
if $TEST_WRAPPER "$BUILD/digest-sink" --sign "$key" dg_1 1700000000 "$TMP/body.json" >"$TMP/sig" 2>&1 &&
	grep -q '^v1,' "$TMP/sig"; then
	pass "the installed key signs (digest-sink --sign)"
else
	fail "the installed key signs (digest-sink --sign)" "$(head -c 300 "$TMP/sig")"
fi
cp "$key" "$TMP/key.1"

echo "; edited by the administrator" >>"$root/etc/digestd/digestd.ini"
cp "$root/etc/digestd/digestd.ini" "$TMP/edited.ini"
install_to "$root" /usr
expect_same "a second install keeps the existing config" "$root/etc/digestd/digestd.ini" \
	"$TMP/edited.ini"
expect_same "a second install keeps the signing key" "$key" "$TMP/key.1"

install_to "$TMP/local" /usr/local
cp "$TMP/make.out" "$TMP/local.out"
expect_grep "PREFIX=/usr/local: unit runs the installed binary" \
	'^ExecStart=/usr/local/bin/digestd run --config /etc/digestd/digestd.ini$' \
	"$TMP/local/usr/local/lib/systemd/system/digestd.service"
if [ -s "$TMP/local/etc/digestd/signing-key" ] && ! cmp -s "$TMP/local/etc/digestd/signing-key" "$key"; then
	pass "each machine gets its own signing key"
else
	fail "each machine gets its own signing key" "$(ls -l "$TMP/local/etc/digestd" 2>&1)"
fi

# SYSCONFDIR=/usr/local/etc: the unit and the example config name it, never
# /etc (they said /etc/digestd, and the unit's ConfigurationDirectory=
# made an empty /etc/digestd). systemd keeps ConfigurationDirectory= under
# /etc: the unit goes without it, and make install says so.
sc=$TMP/sysconf
if install_to "$sc" /usr/local SYSCONFDIR=/usr/local/etc; then
	pass "make install SYSCONFDIR=/usr/local/etc"; else
	fail "make install SYSCONFDIR=/usr/local/etc" "$(tail -n 5 "$TMP/make.out")"; fi
unit=$sc/usr/local/lib/systemd/system/digestd.service
expect_grep "SYSCONFDIR: the unit reads the config there" \
	'^ExecStart=/usr/local/bin/digestd run --config /usr/local/etc/digestd/digestd.ini$' "$unit"
expect_grep "SYSCONFDIR: the unit loads the signing key written there" \
	'^LoadCredential=signing-key:/usr/local/etc/digestd/signing-key$' "$unit"
if [ -s "$sc/usr/local/etc/digestd/signing-key" ] && [ ! -e "$sc/etc" ]; then
	pass "SYSCONFDIR: the config and key installed there, nothing under /etc"; else
	fail "SYSCONFDIR: the config and key installed there, nothing under /etc" \
		"$(cd "$sc" && find . -path '*etc*')"; fi
etc_paths=$(grep -nE '(^|[^[:alnum:]_.-])/etc(/|$)|^ConfigurationDirectory=' "$unit" \
	"$sc/usr/local/etc/digestd/digestd.ini")
if [ -z "$etc_paths" ]; then
	pass "SYSCONFDIR: no /etc path nor ConfigurationDirectory= in the unit or the config"; else
	fail "SYSCONFDIR: no /etc path nor ConfigurationDirectory= in the unit or the config" \
		"$etc_paths"; fi
expect_grep "SYSCONFDIR: make install says the unit has no ConfigurationDirectory=" \
	'no ConfigurationDirectory=' "$TMP/make.out"
if grep -q 'ConfigurationDirectory' "$TMP/local.out"; then
	fail "SYSCONFDIR=/etc: make install says nothing of ConfigurationDirectory="; else
	pass "SYSCONFDIR=/etc: make install says nothing of ConfigurationDirectory="; fi

if command -v man >/dev/null 2>&1; then
	for page in "$root/usr/share/man/man8/digestd.8" "$root/usr/share/man/man5/digestd.ini.5"; do
		MANWIDTH=80 man -l --warnings "$page" >"$TMP/page" 2>"$TMP/warn"
		if [ -s "$TMP/warn" ] || [ ! -s "$TMP/page" ]; then
			fail "man -l renders $(basename "$page") without warnings" "$(head -n 5 "$TMP/warn")"
		else
			pass "man -l renders $(basename "$page") without warnings"
		fi
	done
else
	echo "SKIP: man is missing: pages not rendered"
fi

# digestd.ini(5) has an entry (".B key" line) for every key of the table.
digestd check-config --keys | awk '/^\| `/ { k = $2; gsub(/`/, "", k); print k }' | sort -u >"$TMP/keys"
missing=""
while read -r key; do
	grep -qx "\.B $key" docs/man/digestd.ini.5 || missing="$missing $key"
done <"$TMP/keys"
if [ -z "$missing" ] && [ -s "$TMP/keys" ]; then pass "digestd.ini(5) documents every key"; else
	fail "digestd.ini(5) documents every key" "missing:$missing"; fi
