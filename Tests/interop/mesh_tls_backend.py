"""An HTTPS backend for TLS tests, run inside a pod:
`mesh_tls_backend.py NAME PORT CERT KEY [CLIENT_CA]`. With CLIENT_CA it requires a client
certificate signed by it (mutual TLS). Every response is JSON: {backend, path, host, tls: true,
client_subject} (the client certificate's subject CN, or null)."""

import json
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAME, PORT, CERT, KEY = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
CLIENT_CA = sys.argv[5] if len(sys.argv) > 5 else None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        peer = self.connection.getpeercert() if hasattr(self.connection, "getpeercert") else None
        subject = None
        if peer:
            subject = dict(item[0] for item in peer.get("subject", ())).get("commonName")
        body = json.dumps({"backend": NAME, "path": self.path, "host": self.headers.get("host"),
                           "tls": True, "client_subject": subject}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.send_header("x-served-by", NAME)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(CERT, KEY)
if CLIENT_CA:
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(CLIENT_CA)
server = ThreadingHTTPServer(("0.0.0.0", PORT), Handler)
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
