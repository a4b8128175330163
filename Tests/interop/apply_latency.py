"""Single-object apply latency against a store of N unrelated objects (issue #20, item 8).

Not a pytest test (timings depend on the machine): run it by hand, e.g. with the debug build

    FAIRWAY_BIN=.build/debug/fairway .venv/bin/python Tests/interop/apply_latency.py 1000 25000

Fills a fresh `fairway serve --data-dir` with N objects (a quarter each of ServiceEntries,
VirtualServices, DestinationRules and WorkloadEntries, in batches), waits for the pushes to
settle, then times single-object applies of each kind (new objects, one at a time, each
answered before the next, APPLY_LATENCY_PAUSE seconds apart, 0.25 by default) and prints the
median and 90th percentile per kind, and how long the push after the last one took.
With APPLY_LATENCY_ANALYZE=1, each kind is timed again with `POST /apply?analyze=true` (the
analyzers over the whole store, issue #26) on the same store.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

from fairway_server import FairwayServer

PAUSE = float(os.environ.get("APPLY_LATENCY_PAUSE", "0.25"))
QUERIES = ["", "?analyze=true"] if os.environ.get("APPLY_LATENCY_ANALYZE") == "1" else [""]
KINDS = ("ServiceEntry", "VirtualService", "DestinationRule", "WorkloadEntry")


def document(kind: str, prefix: str, i: int) -> str:
    host = f"{prefix}-{i}.bulk.svc.cluster.local"
    meta = f"metadata: {{name: {prefix}-{i}, namespace: ns-{i % 20}}}"
    if kind == "ServiceEntry":
        spec = f"spec: {{hosts: [{host}], location: MESH_INTERNAL, resolution: STATIC, ports: [{{number: 80, name: http, protocol: HTTP}}], workloadSelector: {{labels: {{app: {prefix}-{i}}}}}}}"
    elif kind == "VirtualService":
        spec = f"spec: {{hosts: [{host}], http: [{{timeout: 5s, route: [{{destination: {{host: {host}}}}}]}}]}}"
    elif kind == "DestinationRule":
        spec = f"spec: {{host: {host}, trafficPolicy: {{loadBalancer: {{simple: ROUND_ROBIN}}}}}}"
    else:
        spec = f"spec: {{address: 10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}, labels: {{app: {prefix}-{i % 1000}}}}}"
    return f"apiVersion: networking.istio.io/v1\nkind: {kind}\n{meta}\n{spec}\n"


def fill(server: FairwayServer, count: int, batch: int = 500) -> None:
    docs = [document(KINDS[i % 4], f"bulk{i % 4}", i) for i in range(count)]
    for start in range(0, count, batch):
        body = "---\n".join(docs[start:start + batch])
        status, reply = server.request("POST", "/apply", body.encode())
        assert status == 200, reply[:500]
    server.wait_pushed(timeout=600)


def measure(server: FairwayServer, kind: str, runs: int, query: str = "") -> list[float]:
    times = []
    for i in range(runs):
        prefix = f"probe-{kind.lower()}" + ("-analyzed" if query else "")
        body = document(kind, prefix, i).encode()
        started = time.perf_counter()
        status, reply = server.request("POST", "/apply" + query, body)
        times.append((time.perf_counter() - started) * 1000)
        assert status == 200, reply[:500]
        time.sleep(PAUSE)  # let the push of the previous apply finish: time the apply alone
    return times


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 25000]
    runs = int(os.environ.get("APPLY_LATENCY_RUNS", "15"))
    for size in sizes:
        with tempfile.TemporaryDirectory() as data_dir:
            server = FairwayServer("--data-dir", data_dir)
            try:
                started = time.perf_counter()
                fill(server, size)
                print(f"{size} objects stored in {time.perf_counter() - started:.1f}s", flush=True)
                for kind, query in ((k, q) for q in QUERIES for k in KINDS):
                    times = sorted(measure(server, kind, runs, query))
                    p90 = times[int(len(times) * 0.9) - 1]
                    server.wait_pushed(timeout=120)
                    push = server.get_json("/debug/push_status").get("lastPush") or {}
                    print(f"  {size:>6} stored  {kind + query:<30} median {statistics.median(times):7.1f} ms"
                          f"  p90 {p90:7.1f} ms  (its push: {push.get('durationSeconds', 0) * 1000:.0f} ms)",
                          flush=True)
            finally:
                server.stop()


if __name__ == "__main__":
    main()
