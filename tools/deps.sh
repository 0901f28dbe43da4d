#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian packages digestd needs to build, test and run its tools,
# only those missing, saying which. Run as root on Debian 12; as another user
# it only lists what is missing.
set -eu

pkgs="gcc make libc6-dev pkg-config libcurl4-openssl-dev libmbedtls-dev libinih-dev
ca-certificates python3 ots clang libclang-rt-14-dev time curl"

missing=""
for p in $pkgs; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $status in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "tools/deps.sh: installing missing Debian packages:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "tools/deps.sh: not root; install them with: apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
