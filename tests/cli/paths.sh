#!/bin/sh
# SPDX-License-Identifier: MIT
# Symbolic links on the way to what the ini names (docs/config.md, "Links on
# the way"): a link in a folder that a user other than root and digestd's
# could write (group or others may write it without the sticky bit, or
# another uid owns it; in a sticky folder, a link of another uid) is refused
# with one line naming the path, the link and why: for a folder source, a
# file:// source, a secret, an included file, the ini itself, state_dir and
# metrics_file. The same link in a folder only root or digestd's user may
# write is followed; a loop of links ends with one clear line.
. tests/cli/lib.sh

root=$(cd "$TMP" && pwd -P)
me=$(id -u)
# etc/ stands for /etc or /var/lib: etc/digestd/ holds a secret that a
# folder source would publish, etc/news/ an ordinary seed.
mkdir -p "$root/etc/digestd" "$root/etc/news" "$root/ww" "$root/ok" "$root/sticky" "$root/state"
printf 'Title: Secret\n\nSECRET-SIGNING-KEY whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n' \
	>"$root/etc/digestd/signing-key"
chmod 600 "$root/etc/digestd/signing-key"
printf 'Title: News\n\nAn ordinary seed.\n' >"$root/etc/news/a.txt"
chmod 700 "$root/state"
chmod 777 "$root/ww"    # anyone may rename an entry and plant a link
chmod 755 "$root/ok"    # only its owner (root or us)
chmod 1777 "$root/sticky"
ln -s ../etc "$root/ww/etc"
ln -s "$root/etc" "$root/ok/etc"
ln -s loop2 "$root/ok/loop1"
ln -s loop1 "$root/ok/loop2"
ww="$root/ww/etc: a symbolic link in $root/ww, which group or others may write (mode 0777, no sticky bit); not followed"

# fetch_source NAME URL [TYPE]: `digestd fetch --source NAME` of a config
# with that one source; out, err and RC as the other tests keep them.
fetch_source() {
	printf '[daemon]\nstate_dir = %s/state\n[source %s]\nurl = %s\n%s\n' "$root" "$1" "$2" \
		"${3:+type = $3}" >"$TMP/src.ini"
	digestd fetch --config "$TMP/src.ini" --source "$1" --format json >"$TMP/out" 2>"$TMP/err"
	RC=$?
}
# refused NAME STATUS LINE: exit STATUS, exactly LINE on stderr, no secret out.
refused() {
	printf 'digestd: %s\n' "$3" >"$TMP/want"
	if [ "$RC" -ne "$2" ] || ! cmp -s "$TMP/err" "$TMP/want"; then
		fail "$1" "exit $RC, want $2" "got:  $(head -c 400 "$TMP/err")" "want: $(cat "$TMP/want")"
	elif grep -q SECRET "$TMP/out"; then
		fail "$1: nothing of the secret printed" "$(head -c 300 "$TMP/out")"
	else
		pass "$1"
	fi
}
read_seed() {
	if [ "$RC" -eq 0 ] && grep -q "An ordinary seed" "$TMP/out" && [ ! -s "$TMP/err" ]; then
		pass "$1"; else fail "$1" "exit $RC" "$(head -c 400 "$TMP/err")"; fi
}

# ---- folder and file sources ----
# /srv/drop is world-writable: whoever renames etc/ away and plants a link
# there must not make digestd publish the secrets' folder.
fetch_source planted "$root/ww/etc/digestd"
refused "folder source: a link planted in a world-writable folder on the way is refused" 66 \
	"source planted: $root/ww/etc/digestd: $ww"
fetch_source page "file://$root/ww/etc/digestd/signing-key" page
refused "file:// source: a link planted in a world-writable folder on the way is refused" 66 \
	"source page: file://$root/ww/etc/digestd/signing-key: $ww"
fetch_source trusted "$root/ok/etc/news"
read_seed "folder source: the same link in a folder only its owner may write is followed"
fetch_source trustedpage "file://$root/ok/etc/news/a.txt" page
if [ "$RC" -eq 0 ] && grep -q "ordinary seed" "$TMP/out"; then
	pass "file:// source: the same link in a folder only its owner may write is followed"; else
	fail "file:// source: the same link in a folder only its owner may write is followed" \
		"exit $RC" "$(head -c 400 "$TMP/err")"; fi
fetch_source loop "$root/ok/loop1/news"
refused "a loop of links: one line saying so" 66 \
	"source loop: $root/ok/loop1/news: $root/ok/loop1: more than 40 symbolic links on the way (a loop?); not followed"
# A trusted link whose target passes through the world-writable folder: the
# walk goes on checking there.
ln -s ../ww/etc "$root/ok/via-ww"
fetch_source via "$root/ok/via-ww/news"
refused "a trusted link leading through a planted one: refused there" 66 \
	"source via: $root/ok/via-ww/news: $ww"
# A relative target resolves from the link's folder, its ".." included.
mkdir -p "$root/ok/deep/er"
ln -s ../../../etc "$root/ok/deep/er/n"
fetch_source dotdot "$root/ok/deep/er/n/news"
read_seed "a relative link with .. is followed as the kernel would"

# A sticky world-writable folder (/tmp): a link is followed only when root,
# digestd's user or the folder's owner made it (protected_symlinks).
ln -s "$root/etc" "$root/sticky/etc"
fetch_source sticky "$root/sticky/etc/news"
read_seed "sticky folder: a link of the folder's owner is followed"
if [ "$me" -ne 0 ]; then
	echo "SKIP: not root: links of uid 65534 cannot be made (chown)"
elif ! chown -h 65534 "$root/sticky/etc" 2>"$TMP/chown.err"; then
	echo "SKIP: chown -h 65534 failed here ($(head -n 1 "$TMP/chown.err")): links of another uid not tried"
else
	fetch_source sticky "$root/sticky/etc/news"
	refused "sticky folder: a link of uid 65534 is refused" 66 \
		"source sticky: $root/sticky/etc/news: $root/sticky/etc: a symbolic link of uid 65534 in the sticky folder $root/sticky (mode 1777), neither root's, digestd's (uid 0) nor the folder owner's; not followed"
	# A folder of another uid, not writable by others: its owner may
	# replace its links.
	mkdir -p "$root/other"
	ln -s "$root/etc" "$root/other/etc"
	chown 65534 "$root/other"
	fetch_source other "$root/other/etc/news"
	refused "a link in a folder owned by uid 65534 is refused" 66 \
		"source other: $root/other/etc/news: $root/other/etc: a symbolic link in $root/other, which uid 65534 owns (neither root nor digestd's uid 0); not followed"
fi

# ---- paths of the ini: secret, include, the ini itself, state_dir ----
cp "$root/etc/digestd/signing-key" "$root/etc/key"
printf 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n' >"$root/etc/key"
chmod 600 "$root/etc/key"
mkdir -p "$root/etc/conf.d"
printf '[http]\ntimeout = 60s\n' >"$root/etc/conf.d/a.ini"
# config DIR LINES...: $root/conf.ini with a folder source, an endpoint whose
# signing key is DIR/key, and LINES.
config() {
	d=$1
	shift
	{
		printf '[daemon]\nstate_dir = %s/state\n' "$root"
		for line in "$@"; do printf '%s\n' "$line"; done
		printf '[source news]\nurl = %s/etc/news\n' "$root"
		printf '[endpoint]\nurl = https://127.0.0.1:9/in\nsigning_key_file = %s/key\n' "$d"
	} >"$root/conf.ini"
}
# check_config NAME STATUS LINE: check-config of FILE (default conf.ini)
# exits STATUS with exactly LINE on stderr; run --once likewise.
check_config() {
	for cmd in check-config "run --once"; do
		# shellcheck disable=SC2086
		timeout 60 $TEST_WRAPPER "$DIGESTD" $cmd --config "${CONF:-$root/conf.ini}" \
			>"$TMP/out" 2>"$TMP/err"
		RC=$?
		sed -i 's/^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9:]\{8\} /digestd: /' "$TMP/err"
		refused "$1 ($cmd)" "$2" "$3"
	done
}
config "$root/ww/etc"
check_config "secret: a link planted on the way is refused" 78 \
	"$root/conf.ini:7: [endpoint] signing_key_file: $root/ww/etc/key: $ww"
config "$root/ok/etc"
expect_status "secret: the same link in a folder only its owner may write is followed" 0 \
	digestd check-config --config "$root/conf.ini"
config "$root/ok/etc" "include = $root/ww/etc/conf.d/*.ini"
check_config "include: a link planted on the way to the folder is refused" 78 \
	"$root/conf.ini:3: [daemon] include: $root/ww/etc/conf.d: $ww"
config "$root/ok/etc" "include = $root/ww/etc/conf.d/a.ini"
check_config "include: a link planted on the way to the file is refused" 78 \
	"$root/ww/etc/conf.d/a.ini: $ww"
config "$root/ok/etc" "include = $root/ok/etc/conf.d/*.ini"
expect_status "include: through a trusted link: read" 0 digestd check-config --config "$root/conf.ini"
expect_grep "include: through a trusted link: its key is in effect" '^timeout = 1m$' "$TMP/out"
config "$root/ok/etc"
mv "$root/conf.ini" "$root/etc/conf.ini"
CONF="$root/ww/etc/conf.ini" check_config "the ini: a link planted on the way is refused" 78 \
	"$root/ww/etc/conf.ini: $ww"
expect_status "the ini: through a trusted link: read" 0 \
	digestd check-config --config "$root/ok/etc/conf.ini"
rm -f "$root/etc/conf.ini"
config "$root/ok/etc"
sed -i "s|^state_dir = .*|state_dir = $root/ww/etc/state|" "$root/conf.ini"
check_config "state_dir: a link planted on the way is refused" 73 \
	"state directory $root/ww/etc/state: $ww"
if [ ! -e "$root/etc/state" ]; then pass "state_dir: nothing made through the planted link"; else
	fail "state_dir: nothing made through the planted link"; fi
# systemd's DynamicUser: /var/lib/digestd is a link to private/digestd,
# which systemd makes before digestd starts.
mkdir -p "$root/ok/private/digestd"
chmod 700 "$root/ok/private" "$root/ok/private/digestd"
ln -s private/digestd "$root/ok/digestd"
sed -i "s|^state_dir = .*|state_dir = $root/ok/digestd|" "$root/conf.ini"
# run --once exits 75: its push to port 9 fails and waits in the outbox.
digestd run --once --config "$root/conf.ini" >"$TMP/out" 2>"$TMP/err"
if [ -f "$root/ok/private/digestd/lock" ] && ! grep -q "state directory" "$TMP/err"; then
	pass "state_dir: DynamicUser's link, in a folder only its owner may write, followed"; else
	fail "state_dir: DynamicUser's link, in a folder only its owner may write, followed" \
		"$(head -c 600 "$TMP/err")"; fi
# metrics_file is written: a planted link must not choose the folder.
config "$root/ok/etc" "metrics_file = $root/ww/etc/digestd.prom"
digestd run --once --config "$root/conf.ini" >"$TMP/out" 2>"$TMP/err"
if [ ! -e "$root/etc/digestd.prom" ] && grep -qF "$root/ww/etc/digestd.prom: cannot write the metrics: $ww" "$TMP/err"; then
	pass "metrics_file: not written through a link planted on the way, one warning"; else
	fail "metrics_file: not written through a link planted on the way, one warning" \
		"$(ls "$root/etc")" "$(head -c 600 "$TMP/err")"; fi
config "$root/ok/etc" "metrics_file = $root/ok/etc/digestd.prom"
digestd run --once --config "$root/conf.ini" >"$TMP/out" 2>"$TMP/err"
if [ -s "$root/etc/digestd.prom" ]; then
	pass "metrics_file: written through a trusted link"; else
	fail "metrics_file: written through a trusted link" "$(head -c 600 "$TMP/err")"; fi
