#!/bin/sh
# SPDX-License-Identifier: MIT
# Prints the stripped size of a digestd build and of each shared library it
# loads (NEEDED resolved recursively in SYSROOT, or by ldd when native).
# Usage: [CROSS_COMPILE=prefix SYSROOT=dir LIMIT=bytes] sh tools/size.sh LABEL BINARY
# (LIMIT: the stripped size a static build must not exceed, default 2 MB)
set -eu

[ $# -eq 2 ] || { echo "usage: sh tools/size.sh LABEL BINARY" >&2; exit 64; }
label=$1 bin=$2
: "${CROSS_COMPILE:=}" "${SYSROOT:=}" "${LIMIT:=2097152}"
[ -f "$bin" ] || { echo "tools/size.sh: $bin: no such file" >&2; exit 66; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cp "$bin" "$tmp/stripped"
"${CROSS_COMPILE}strip" "$tmp/stripped"
stripped=$(wc -c <"$tmp/stripped")

# Follows a symlink chain inside the sysroot: absolute targets are sysroot
# paths, not host paths.
resolve() {
	f=$1 n=0
	while [ -L "$f" ] && [ $n -lt 20 ]; do
		t=$(readlink "$f")
		case $t in
		/*) f=$SYSROOT$t ;;
		*) f=$(dirname "$f")/$t ;;
		esac
		n=$((n + 1))
	done
	printf '%s\n' "$f"
}

needed() {
	"${CROSS_COMPILE}readelf" -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'
}

# Writes "NAME PATH" lines for every library $bin loads into $tmp/libs.
: >"$tmp/libs"
if [ -n "$SYSROOT" ]; then
	triplet=${CROSS_COMPILE%-}
	dirs="/lib/$triplet /usr/lib/$triplet /lib /usr/lib"
	needed "$bin" >"$tmp/queue"
	while [ -s "$tmp/queue" ]; do
		name=$(head -n 1 "$tmp/queue")
		sed -i 1d "$tmp/queue"
		awk -v n="$name" '$1 == n { f = 1 } END { exit !f }' "$tmp/libs" && continue
		path=""
		for d in $dirs; do
			if [ -e "$SYSROOT$d/$name" ]; then
				path=$d/$name
				break
			fi
		done
		if [ -z "$path" ]; then
			echo "tools/size.sh: $name (needed by $bin) not found in $SYSROOT" >&2
			exit 65
		fi
		echo "$name $path" >>"$tmp/libs"
		needed "$(resolve "$SYSROOT$path")" >>"$tmp/queue"
	done
else
	ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 } $1 ~ /^\// { n = $1; sub(/.*\//, "", n); print n, $1 }' >"$tmp/libs"
fi

printf '%s: digestd %d bytes stripped (%s)\n' "$label" "$stripped" "$bin"
# tools/firmware.sh records the Debian source versions it built from.
if [ -f "$(dirname "$bin")/versions" ]; then
	printf '%s: built from Debian sources: %s\n' "$label" "$(paste -sd, "$(dirname "$bin")/versions" | sed 's/,/, /g')"
fi
total=0 count=0
while read -r name path; do
	size=$(wc -c <"$(resolve "$SYSROOT$path")")
	printf '  %-28s %10d  %s\n' "$name" "$size" "$path"
	total=$((total + size))
	count=$((count + 1))
done <"$tmp/libs"
printf '%s: %d shared libraries, %d bytes; with digestd %d bytes\n' \
	"$label" "$count" "$total" $((total + stripped))

# A static build (tools/firmware.sh) leaves BINARY.map, the linker's map: the
# bytes of the input sections that land in the file, summed per archive.
[ -f "$bin.map" ] || exit 0
if [ "$stripped" -le "$LIMIT" ]; then
	printf '%s: static, %d bytes stripped: within the %d-byte target\n' "$label" "$stripped" "$LIMIT"
else
	printf '%s: static, %d bytes stripped: OVER the %d-byte target\n' "$label" "$stripped" "$LIMIT"
fi
printf '%s: where the bytes come from (linker map, code and data):\n' "$label"
awk 'function hex(s,  i, n, c) {
	n = 0
	s = tolower(substr(s, 3))
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", substr(s, i, 1)) - 1
		n = n * 16 + c
	}
	return n
}
/^Linker script and memory map/ { go = 1; next }
!go { next }
$1 ~ /^\./ && NF == 1 { pend = $1; next }
{
	if ($1 ~ /^\./ && $2 ~ /^0x/ && $3 ~ /^0x/ && NF >= 4) { sec = $1; size = $3; file = $4 }
	else if (pend != "" && $1 ~ /^0x/ && $2 ~ /^0x/ && NF >= 3) { sec = pend; size = $2; file = $3 }
	else { pend = ""; next }
	pend = ""
	if (sec ~ /^\.(bss|tbss|debug|comment|note|gnu\.attributes|ARM\.attributes)/) next
	if (file ~ /\.a\(/) { sub(/\(.*/, "", file); sub(/.*\//, "", file) }
	else if (file ~ /\/obj\/src\//) file = "digestd (src/)"
	else { sub(/.*\//, "", file); file = "startup " file }
	by[file] += hex(size); total += hex(size)
}
END {
	for (f in by) printf "%d %s\n", by[f], f
	printf "%d total\n", total
}' "$bin.map" | sort -rn | awk '$2 == "total" { t = $1; next } { n[++k] = $0 }
END {
	for (i = 1; i <= k; i++) {
		split(n[i], a, " "); name = substr(n[i], length(a[1]) + 2)
		if (a[1] * 100 < t && i > 8) { rest += a[1]; continue }
		printf "  %-28s %10d  %3d%%\n", name, a[1], a[1] * 100 / t
	}
	if (rest) printf "  %-28s %10d  %3d%%\n", "(others)", rest, rest * 100 / t
	printf "  %-28s %10d\n", "total", t
}'
