"""A real HTTP backend for traffic tests, run inside a pod: `mesh_backend.py NAME PORT [LOG]`.

Every response is JSON naming the backend and echoing the request: {backend, method, path,
headers}. Behaviour is chosen per request, so one backend serves every test:
- `x-backend-status: 503` answers with that status;
- `x-backend-fail-first: N` with `x-backend-key: K` fails (503) the first N requests of key K;
- `x-backend-delay-ms: N` waits N ms before answering.
The backend also fails every request while the file PORT.fail exists next to its log (a failing
endpoint for outlier detection). Each request is appended to LOG as one JSON line (mirroring
and retry counts are read from it), with `peer`, the address the connection came from (127.0.0.1
when the pod's own sidecar delivered it)."""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAME = sys.argv[1]
PORT = int(sys.argv[2])
LOG = sys.argv[3] if len(sys.argv) > 3 else None
# The address to listen on: an application next to a sidecar without interception listens on
# 127.0.0.1 (its sidecar takes the pod's address).
ADDRESS = sys.argv[4] if len(sys.argv) > 4 else "0.0.0.0"
_lock = threading.Lock()
_seen: dict[str, int] = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body are two writes: with Nagle the body waits for the peer's delayed ACK
    # (about 40 ms a request through a sidecar).
    disable_nagle_algorithm = True

    def _handle(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        headers: dict[str, str] = {}
        for name, value in self.headers.items():  # a repeated header reads as one, comma-joined
            headers[name.lower()] = f"{headers[name.lower()]}, {value}" if name.lower() in headers else value
        record = {"backend": NAME, "method": self.command, "path": self.path, "headers": headers,
                  "body": body.decode(errors="replace"), "time": time.time(), "peer": self.client_address[0]}
        status = 200
        key = headers.get("x-backend-key", "")
        with _lock:
            _seen[key] = _seen.get(key, 0) + 1
            count = _seen[key]
            if LOG:
                with open(LOG, "a") as log:
                    log.write(json.dumps(record) + "\n")
        if "x-backend-status" in headers:
            status = int(headers["x-backend-status"])
        if count <= int(headers.get("x-backend-fail-first", "0")):
            status = 503
        if LOG and os.path.exists(f"{os.path.dirname(LOG)}/{PORT}.fail"):
            status = 503
        delay = int(headers.get("x-backend-delay-ms", "0"))
        if delay:
            time.sleep(delay / 1000)
        payload = json.dumps({**record, "status": status, "attempt": count}).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.send_header("x-served-by", NAME)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle

    def log_message(self, *args) -> None:
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


if __name__ == "__main__":
    Server((ADDRESS, PORT), Handler).serve_forever()
