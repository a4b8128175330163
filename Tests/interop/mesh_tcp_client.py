"""Runs inside a pod (mesh_net.Pod.tcp_many): `mesh_tcp_client.py HOST PORT COUNT PAYLOAD`
opens COUNT connections one after another, sends PAYLOAD and a newline on each and prints the
first line of each answer as a JSON list ("" when the connection failed or closed silently)."""

import json
import socket
import sys


def main() -> None:
    host, port, count, payload = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    answers = []
    for _ in range(count):
        try:
            with socket.create_connection((host, port), timeout=5) as connection:
                connection.sendall(payload.encode() + b"\n")
                data = b""
                while not data.endswith(b"\n"):
                    chunk = connection.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                answers.append(data.decode(errors="replace").strip())
        except OSError:
            answers.append("")
    print(json.dumps(answers))


if __name__ == "__main__":
    main()
