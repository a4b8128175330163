"""A TCP server for traffic tests, run inside a pod: `mesh_tcp_echo.py NAME PORT`. For each
connection it reads one line and answers `NAME LINE` (so the client learns which backend the
sidecar chose), then closes."""

import socketserver
import sys

NAME = sys.argv[1]
PORT = int(sys.argv[2])


class Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        line = self.rfile.readline().decode(errors="replace").strip()
        self.wfile.write(f"{NAME} {line}\n".encode())


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


if __name__ == "__main__":
    Server(("0.0.0.0", PORT), Handler).serve_forever()
