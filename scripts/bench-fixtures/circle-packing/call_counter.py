"""A counting relay between the racers and the model (scripts/bench-circle-packing.sh).

Both evolve and OpenEvolve talk to this relay instead of the model server; it forwards every request
unchanged to UPSTREAM (an OpenAI-compatible API root, up to and including /v1) and counts, per racer, the
chat calls, the failed ones, the tokens in and out, and the sampling settings each call asked for, so the race can show that both
sides asked the same model the same way. The racer is the first path segment: /evolve/v1/... and
/openevolve/v1/... Prints "listening on PORT" once it serves; GET /stats answers the counts as JSON.

    python3 call_counter.py UPSTREAM
"""
import http.server
import json
import sys
import threading
import urllib.error
import urllib.request

UPSTREAM = sys.argv[1].rstrip("/")
LOCK = threading.Lock()
STATS = {}


def record(racer, body, reply, ok):
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        request = {}
    usage = {}
    if ok:
        try:
            usage = json.loads(reply).get("usage") or {}
        except (ValueError, AttributeError):
            pass
    sampling = "temperature=%s max_tokens=%s" % (request.get("temperature"), request.get("max_tokens"))
    if request.get("top_p") is not None or request.get("seed") is not None:
        sampling += " top_p=%s seed=%s" % (request.get("top_p"), request.get("seed"))
    with LOCK:
        entry = STATS.setdefault(racer, {"calls": 0, "failed": 0, "tokens_in": 0, "tokens_out": 0, "sampling": {}})
        entry["calls"] += 1
        entry["tokens_in"] += usage.get("prompt_tokens") or 0
        entry["tokens_out"] += usage.get("completion_tokens") or 0
        entry["failed"] += 0 if ok else 1
        entry["sampling"][sampling] = entry["sampling"].get(sampling, 0) + 1


class Relay(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/stats":
            with LOCK:
                body = json.dumps(STATS).encode()
            return self.answer(200, body)
        self.forward(None)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.forward(self.rfile.read(length))

    def forward(self, body):
        _, racer, rest = self.path.split("/", 2) if self.path.count("/") >= 2 else ("", "", "")
        if not rest.startswith("v1/"):
            return self.answer(404, b'{"error": "use /RACER/v1/..."}')
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type")}
        request = urllib.request.Request(UPSTREAM + "/" + rest[len("v1/"):], data=body, headers=headers)
        status, reply, kind = 502, b'{"error": "upstream unreachable"}', "application/json"
        try:
            with urllib.request.urlopen(request, timeout=3600) as response:
                status, reply = response.status, response.read()
                kind = response.headers.get("Content-Type", kind)
        except urllib.error.HTTPError as e:
            status, reply = e.code, e.read()
        except OSError as e:
            reply = json.dumps({"error": "upstream: %s" % e}).encode()
        if rest.endswith("chat/completions"):
            record(racer, body, reply, status == 200)
        self.answer(status, reply, kind)


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Relay)
    server.daemon_threads = True
    print("listening on %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
