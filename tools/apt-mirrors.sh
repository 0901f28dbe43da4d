#!/bin/sh
# SPDX-License-Identifier: MIT
# Prints "URI SUITE" for each Debian mirror this machine's apt uses for its
# release (CODENAME, -updates, -security), as `apt-cache policy` lists them.
set -eu
codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
apt-cache policy | awk -v c="$codename" '$1 ~ /^[0-9]+$/ && $2 ~ /:\/\// {
	split($3, s, "/")
	if (s[2] == "main" && (s[1] == c || s[1] == c "-updates" || s[1] == c "-security"))
		print $2, s[1]
}' | sort -u
