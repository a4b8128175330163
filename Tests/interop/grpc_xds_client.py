"""A proxyless gRPC client (grpcio's own xDS support) driven over stdin.

Run with GRPC_XDS_BOOTSTRAP_CONFIG set. Each stdin line is JSON
{"calls": N, "metadata": {...}, "timeout": s}; each answer line is JSON
{"counts": {backend: n}, "errors": n, "last_error": "..."}.
"""

import json
import sys

import grpc

TARGET = sys.argv[1]
METHOD = "/fairway.test.Echo/Who"


def main() -> None:
    channel = grpc.insecure_channel(TARGET)
    who = channel.unary_unary(METHOD)
    for line in sys.stdin:
        command = json.loads(line)
        counts: dict = {}
        errors = 0
        last_error = ""
        metadata = tuple((k, v) for k, v in command.get("metadata", {}).items())
        for _ in range(command["calls"]):
            try:
                reply = who(b"", timeout=command.get("timeout", 5), metadata=metadata, wait_for_ready=command.get("wait", False))
                name = reply.decode()
                counts[name] = counts.get(name, 0) + 1
            except grpc.RpcError as e:
                errors += 1
                last_error = f"{e.code()}: {e.details()}"
        print(json.dumps({"counts": counts, "errors": errors, "last_error": last_error}), flush=True)


if __name__ == "__main__":
    main()
