#!/bin/sh
# SPDX-License-Identifier: MIT
# `[digest] format = html` end to end: `run --once` over the seeds folder to
# digest-sink, whose stored body must be the HTML digest of the eight seeds
# (parsed back with Python's html.parser: one linked heading per article,
# the seeds' titles, no script or handler, only http(s) links), then once
# more to a plain-HTTP receiver on loopback that records the Content-Type.
. tests/cli/lib.sh
. tests/cli/daemon.lib

mkdir -p "$TMP/articles"
cp seeds/*.txt "$TMP/articles/"
start_sink 0 || exit 1
write_config "$TMP/d0.ini"
sed 's/^max_articles = .*/&\nformat = html/' "$TMP/d0.ini" >"$TMP/d.ini"

digestd run --once --config "$TMP/d.ini" >"$TMP/out" 2>"$TMP/once.log"
rc=$?
if [ $rc -eq 0 ] && [ "$(stored)" -eq 1 ]; then pass "format = html: delivered, exit 0"; else
	fail "format = html: delivered, exit 0" "exit $rc, $(stored) stored" "$(tail -n 5 "$TMP/once.log")"; fi
expect_grep "format = html: the sink verified the signature" \
	"^received id=dg_[0-9a-f]\{32\} bytes=[0-9]* articles=? status=200" "$TMP/sink.log"

if python3 - "$TMP/store" "$TMP/articles" >"$TMP/cmp" 2>&1 <<'EOF'; then
import glob, html.parser, sys
(path,) = glob.glob(sys.argv[1] + "/*.json")
body = open(path, encoding="utf-8").read()
titles = set()
for f in glob.glob(sys.argv[2] + "/*.txt"):
    for line in open(f, encoding="utf-8"):
        if line.startswith("Title:"):
            titles.add(" ".join(line[6:].split()))

class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.h2, self.links, self.in_h2 = [], [], 0, False
    def handle_starttag(self, tag, attrs):
        assert tag not in ("script", "img", "iframe", "link"), tag
        for k, v in attrs:
            assert not k.startswith("on") and k != "src", k
            if k == "href":
                assert v.startswith(("http://", "https://")), v
                self.links += 1
        if tag not in ("meta", "br"):
            self.stack.append(tag)
        if tag == "h2":
            self.in_h2 = True
            self.h2.append("")
    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, "bad nesting at </%s>" % tag
        if tag == "h2":
            self.in_h2 = False
    def handle_data(self, data):
        if self.in_h2:
            self.h2[-1] += data

assert body.startswith("<!DOCTYPE html>\n"), body[:40]
p = P()
p.feed(body)
p.close()
assert not p.stack, p.stack
assert len(p.h2) == 8, p.h2
assert set(p.h2) == titles, (sorted(p.h2), sorted(titles))
print("ok: 8 headings, %d links" % p.links)
EOF
	pass "format = html: the stored body is the seeds' HTML digest"
else
	fail "format = html: the stored body is the seeds' HTML digest" "$(tail -n 5 "$TMP/cmp")"
fi

# A plain-HTTP receiver on loopback that stores the request's Content-Type
# and body (digest-sink does not record headers).
cat >"$TMP/recv.py" <<'EOF'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        open(sys.argv[2] + ".type", "w").write(self.headers["Content-Type"])
        open(sys.argv[2] + ".body", "wb").write(body)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(s.server_port))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
EOF
python3 "$TMP/recv.py" "$TMP/recv.ready" "$TMP/recv" &
PIDS="$PIDS $!"
wait_grep . "$TMP/recv.ready" 20 || echo "the receiver did not start"
sed -e "s|^state_dir = .*|state_dir = $TMP/state2|" \
	-e "s|^url = https://.*/digest$|url = http://127.0.0.1:$(cat "$TMP/recv.ready")/digest\nallow_insecure = yes|" \
	"$TMP/d.ini" >"$TMP/plain.ini"
digestd run --once --config "$TMP/plain.ini" >"$TMP/out" 2>"$TMP/plain.log"
rc=$?
if [ $rc -eq 0 ] && [ "$(cat "$TMP/recv.type" 2>/dev/null)" = "text/html; charset=utf-8" ]; then
	pass "format = html: pushed as text/html; charset=utf-8"
else
	fail "format = html: pushed as text/html; charset=utf-8" \
		"exit $rc, Content-Type '$(cat "$TMP/recv.type" 2>/dev/null)'" "$(tail -n 3 "$TMP/plain.log")"
fi
if [ "$(grep -c '<h2' "$TMP/recv.body" 2>/dev/null || echo 0)" -eq 8 ]; then
	pass "format = html: the receiver got the eight articles' HTML"
else
	fail "format = html: the receiver got the eight articles' HTML" "$(head -c 300 "$TMP/recv.body")"
fi
