"""A real Dubbo2 consumer (PyPI dubbo-ssl-python), run inside a pod so iptables sends its calls
through the sidecar. One process keeps one TCP connection per target for its whole life.

Reads one JSON object per stdin line: {host: "IP:PORT", interface, calls: [{method, args,
context}], timeout, group?, version?} and answers each with one JSON line: {results: [...],
local_port} where a result is {ok: true, value: <the provider's JSON answer>} or {ok: false,
error} and local_port is the client side of its connection to host (unchanged while that
connection stays open)."""

import json
import logging
import socket
import sys

from dubbo_ssl.client import DubboClient
from dubbo_ssl.connection.connections import connection_pool

logging.disable(logging.CRITICAL)  # the library logs every failed call at ERROR


def local_port(host: str) -> int | None:
    connection = connection_pool._connection_pool.get(host)  # the library's own pool: one per host
    if connection is None:
        return None
    probe = socket.fromfd(connection.fileno(), socket.AF_INET, socket.SOCK_STREAM)
    try:
        return probe.getsockname()[1]
    finally:
        probe.close()


def serve(spec: dict) -> dict:
    client = DubboClient(spec["interface"], group=spec.get("group", ""), version=spec.get("version", "1.0.0"),
                         host=spec["host"])
    results = []
    for call in spec["calls"]:
        try:
            value = client.call(call["method"], call.get("args", []), context=call.get("context"),
                                timeout=spec.get("timeout", 5))
            results.append({"ok": True, "value": json.loads(value) if isinstance(value, str) else value})
        except Exception as error:  # a failed call is a result the test asserts on
            results.append({"ok": False, "error": f"{type(error).__name__}: {error}".strip()})
    return {"results": results, "local_port": local_port(spec["host"])}


if __name__ == "__main__":
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(serve(json.loads(line))), flush=True)
