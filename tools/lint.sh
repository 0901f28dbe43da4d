#!/bin/sh
# SPDX-License-Identifier: MIT
# House-style checks a script can make (../shared/STYLE.md, habit 20): banned
# functions, the SPDX first line, the what-it-owns comment, #ifdef for
# options. Prints one line per problem and exits 1 if there is any.
set -u
cd "$(dirname "$0")/.." || exit 2
status=0
files=$(find src tools tests -name '*.[ch]' -not -path '*/corpus/*' | sort)

for f in $files; do
	if [ "$(head -n 1 "$f")" != "/* SPDX-License-Identifier: MIT */" ]; then
		echo "$f:1: first line must be the SPDX identifier"
		status=1
	fi
	if ! sed -n 2p "$f" | grep -q '^/\* '; then
		echo "$f:2: second line must open the comment saying what the file owns"
		status=1
	fi
done

# Banned: unbounded or error-hiding libc calls. Word match, outside comments.
banned='strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|sscanf|gets|system'
# shellcheck disable=SC2086
if grep -nE "(^|[^_a-zA-Z0-9.>])($banned)[[:space:]]*\(" $files |
	grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)'; then
	echo "banned function used (see above)"
	status=1
fi

# Options are #if X with 0/1 values; #ifdef hides typos (-Wundef catches #if).
# shellcheck disable=SC2086
if grep -nE '^[[:space:]]*#[[:space:]]*ifn?def[[:space:]]+[A-Z]' $files |
	grep -vE '#[[:space:]]*ifndef[[:space:]]+DIGESTD_[A-Z0-9_]+_H$'; then
	echo "#ifdef/#ifndef on an option (use #if OPTION with 0/1)"
	status=1
fi
exit $status
