#!/bin/sh
# SPDX-License-Identifier: MIT
# The HTML digest in a real browser (Debian's headless Chromium), for
# tests/cli/html_browser.sh and `make screenshots`:
#   sh tools/html-page.sh digest OUT.html       a realistic digest: `run --once`
#       over the seeds (given URLs) and three articles with a long title, a
#       long unbroken URL-like word and Russian, Greek and Japanese text,
#       pushed to digest-sink; OUT is the body it stored
#   sh tools/html-page.sh measure FILE WIDTH [dark]  prints "scrollWidth
#       innerWidth dark" of FILE laid out at WIDTH px (dark: the dark scheme)
#   sh tools/html-page.sh shot FILE WIDTH HEIGHT light|dark OUT.png
# Chromium only ever opens our own static file: no network (every host name
# resolves to nothing, no background services) and a fresh profile in a
# temporary folder. Environment: DIGESTD, BUILD, TEST_WRAPPER as for the tests.
set -u
. tests/cli/lib.sh
. tests/cli/daemon.lib

# chromium_run WIDTH HEIGHT SCHEME ARGS...: headless Chromium at that window
# size. --no-sandbox: CI runs as root, where Chromium's sandbox refuses to
# start; the only page it loads is the file we wrote, with no script of its
# own and no network, so the sandbox would guard nothing here.
chromium_run() {
	w=$1 h=$2 scheme=$3
	shift 3
	dark=""
	[ "$scheme" = dark ] && dark="--force-dark-mode --blink-settings=preferredColorScheme=0"
	# shellcheck disable=SC2086
	chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
		--no-default-browser-check --disable-extensions --disable-background-networking \
		--disable-component-update --disable-sync --disable-features=Translate,MediaRouter \
		--host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir="$TMP/profile" \
		--hide-scrollbars --force-device-scale-factor=1 --window-size="$w,$h" $dark "$@" \
		2>>"$TMP/chromium.log"
}

cmd=${1:-}
case $cmd in
digest)
	out=$2
	mkdir -p "$TMP/articles"
	for f in seeds/*.txt; do
		n=$(basename "$f" .txt)
		{ sed -n '1p' "$f"; printf 'URL: https://news.example.org/2026/%s\n' "$n"; sed -n '2,$p' "$f"; } \
			>"$TMP/articles/2_$n.txt"
	done
	cat >"$TMP/articles/1_a_long.txt" <<'EOF'
Title: A very long headline about the regional transport authority's decision to extend the night service on every tram and bus line through the winter months, announced after an unusually long meeting
URL: https://news.example.org/2026/12/06/regional-transport-authority-extends-night-service-on-every-tram-and-bus-line-through-the-winter-months?utm_source=feed&ref=front-page-top-story-slot-1
Lang: en

The regional transport authority will run night trams and buses on every line from December to March, its board decided on Thursday after a meeting that lasted past midnight.
The full timetable was published at https://transport.example.org/timetables/winter-2026/night-service/all-lines/complete-list-of-departures-by-stop-and-route-with-connections-and-accessibility-notes-v2.pdf and will be printed at every stop.
Board members said the cost would be covered by the fuel savings of the new electric fleet, as recorded under transport.example.org.decisions.nightservice.alllines.winterservice.fundedbyfuelsavings.ofthenewelectricfleet.reference in the register.
EOF
	cat >"$TMP/articles/1_b_ru.txt" <<'EOF'
Title: В Петербурге открыли новую станцию метро «Театральная» после девяти лет строительства
URL: https://news.example.org/2026/ru/teatralnaya
Lang: ru

В Санкт-Петербурге в пятницу открылась станция метро «Театральная», строительство которой продолжалось девять лет. Первые пассажиры прошли через вестибюль рано утром. Городские власти обещают, что станция разгрузит соседние пересадочные узлы в центре.
EOF
	cat >"$TMP/articles/1_c_el.txt" <<'EOF'
Title: Η Αθήνα εγκαινιάζει νέο πεζόδρομο γύρω από την Ακρόπολη — 東京でも同様の計画
URL: https://news.example.org/2026/el/pezodromos
Lang: el

Ο νέος πεζόδρομος γύρω από την Ακρόπολη άνοιξε την Κυριακή για το κοινό. Ο δήμαρχος είπε ότι το έργο ολοκληρώθηκε νωρίτερα από το αναμενόμενο. 東京都も同じような歩行者専用道路の計画を発表しました. Οι κάτοικοι της περιοχής χαιρέτισαν την αλλαγή.
EOF
	start_sink 0 || exit 1
	write_config "$TMP/d0.ini"
	sed 's/^max_articles = .*/&\nformat = html/' "$TMP/d0.ini" >"$TMP/d.ini"
	if ! digestd run --once --config "$TMP/d.ini" >"$TMP/out" 2>"$TMP/once.log"; then
		echo "html-page.sh: digestd run --once failed:" >&2
		tail -n 5 "$TMP/once.log" >&2
		exit 1
	fi
	set -- "$TMP"/store/*.json
	[ -f "$1" ] || { echo "html-page.sh: the sink stored no digest" >&2; exit 1; }
	cp "$1" "$out"
	;;
measure)
	file=$2 w=$3 scheme=${4:-light}
	# Headless Chromium keeps --dump-dom windows at least 500 px wide, so the
	# page is laid out in an iframe of exactly WIDTH px inside a wider
	# window. Our page holds no script: the framed copy gets one that posts
	# its own measure to the frame around it, which writes it into the DOM
	# that --dump-dom prints once everything has loaded.
	cp "$file" "$TMP/measure.html"
	printf '%s\n' '<script>parent.postMessage(document.documentElement.scrollWidth + " " + innerWidth + " " + matchMedia("(prefers-color-scheme: dark)").matches, "*")</script>' \
		>>"$TMP/measure.html"
	printf '%s\n' '<!DOCTYPE html><html><body style="margin:0">' \
		'<script>addEventListener("message", function (e) { document.body.setAttribute("data-measure", e.data) })</script>' \
		"<iframe src=\"measure.html\" style=\"border:0;width:${w}px;height:800px\"></iframe></body></html>" \
		>"$TMP/frame.html"
	chromium_run $((w + 200)) 900 "$scheme" --dump-dom "file://$TMP/frame.html" >"$TMP/dom.html"
	m=$(sed -n 's/.*data-measure="\([0-9]* [0-9]* [a-z]*\)".*/\1/p' "$TMP/dom.html" | head -n 1)
	if [ -z "$m" ]; then
		echo "html-page.sh: chromium gave no measure:" >&2
		tail -n 5 "$TMP/chromium.log" >&2
		exit 1
	fi
	echo "$m"
	;;
shot)
	file=$2 w=$3 h=$4 scheme=$5 out=$6
	cp "$file" "$TMP/shot.html"
	chromium_run "$w" "$h" "$scheme" --screenshot="$TMP/shot.png" "file://$TMP/shot.html" >/dev/null
	[ -s "$TMP/shot.png" ] || { echo "html-page.sh: no screenshot:" >&2; tail -n 5 "$TMP/chromium.log" >&2; exit 1; }
	# A 64-colour palette keeps text sharp at a fraction of the size.
	pngquant --force --strip --speed 1 64 --output "$out" "$TMP/shot.png"
	;;
*)
	echo "usage: sh tools/html-page.sh digest OUT.html | measure FILE WIDTH [dark] | shot FILE WIDTH HEIGHT light|dark OUT.png" >&2
	exit 64
	;;
esac
