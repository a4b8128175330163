"""A Dubbo2 (Hessian2) provider for the real-Envoy Dubbo tests, run inside a pod:
`dubbo_provider.py NAME PORT [LOG]`.

It decodes what a Dubbo2 consumer sends (16-byte header: magic 0xdabb, flag, status, request id,
body length; Hessian2 body: dubbo version, interface, version, method, parameter types, the
arguments, the attachments map) and answers each two-way request with a Hessian2 response
(RESPONSE_VALUE) whose value is a JSON string: {provider, method, args, attachments}. Heartbeats
are answered as Dubbo does. Each request is appended to LOG as one JSON line, so a test counts
exactly how many requests reached the application."""

import json
import socket
import struct
import sys
import threading
import time
from socketserver import StreamRequestHandler, ThreadingTCPServer

from dubbo_ssl.codec.decoder import Response as HessianReader

NAME = sys.argv[1]
PORT = int(sys.argv[2])
LOG = sys.argv[3] if len(sys.argv) > 3 else None
MAGIC = b"\xda\xbb"
HESSIAN2 = 2
RESPONSE_VALUE = 0x91  # Hessian2 compact int 1
_lock = threading.Lock()


def hessian_string(text: str) -> bytes:
    data = text.encode("ascii")  # JSON below is ASCII-escaped: characters == bytes
    return b"S" + struct.pack("!H", len(data)) + data


def decode_request(body: bytes) -> dict:
    reader = HessianReader(bytearray(body))
    dubbo_version, interface, version, method, types = (reader.read_next() for _ in range(5))
    args = []
    while reader.length() and reader.get_byte() not in (ord("H"), ord("M")):
        args.append(reader.read_next())
    attachments = reader.read_next() if reader.length() else {}
    return {"dubbo": dubbo_version, "interface": interface, "version": version, "method": method,
            "types": types, "args": args, "attachments": attachments}


class Handler(StreamRequestHandler):
    def handle(self) -> None:
        peer = f"{self.client_address[0]}:{self.client_address[1]}"
        while True:
            header = self.rfile.read(16)
            if len(header) < 16 or header[:2] != MAGIC:
                return
            flag, request_id, length = header[2], header[4:12], struct.unpack("!i", header[12:16])[0]
            body = self.rfile.read(length)
            if flag & 0x20:  # event (heartbeat): answer with a null event response
                self.wfile.write(MAGIC + bytes([0x20 | HESSIAN2, 20]) + request_id + struct.pack("!i", 1) + b"N")
                continue
            request = decode_request(body)
            record = {"provider": NAME, "peer": peer, "time": time.time(), **request}
            if LOG:
                with _lock, open(LOG, "a") as log:
                    log.write(json.dumps(record, default=str) + "\n")
            if not flag & 0x40:  # one-way
                continue
            answer = {"provider": NAME, "method": request["method"], "args": request["args"],
                      "attachments": request["attachments"]}
            payload = bytes([RESPONSE_VALUE]) + hessian_string(json.dumps(answer, default=str))
            self.wfile.write(MAGIC + bytes([HESSIAN2, 20]) + request_id + struct.pack("!i", len(payload)) + payload)


class Server(ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    address_family = socket.AF_INET


if __name__ == "__main__":
    Server(("0.0.0.0", PORT), Handler).serve_forever()
