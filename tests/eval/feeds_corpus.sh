#!/bin/sh
# SPDX-License-Identifier: MIT
# Feed corpus (`make eval`): `digestd fetch --type feed --format json` on
# every file of ../shared/data/feeds/expected.jsonl, compared with that
# reference parse by tests/feeds_compare.py (targets, normalisation and
# exceptions are there).
. tests/cli/lib.sh

data=../shared/data/feeds
if [ ! -f "$data/expected.jsonl" ]; then
	fail "feeds corpus" "$data/expected.jsonl is missing (make eval needs ../shared beside the repository)"
	exit 1
fi
# shellcheck disable=SC2086
python3 tests/feeds_compare.py --data "$data" \
	--exceptions tests/feeds_reference_exceptions.tsv \
	-- $TEST_WRAPPER "$DIGESTD" fetch --type feed --format json
