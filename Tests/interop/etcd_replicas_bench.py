"""Three replicas over one etcd, measured (issue #23's benchmark; figures in BENCHMARKS.md).

Not a pytest test (timings depend on the machine): run it by hand, e.g. with the debug build

    FAIRWAY_BIN=.build/debug/fairway .venv/bin/python Tests/interop/etcd_replicas_bench.py 1000 10 50

Starts etcd and three `fairway serve --store etcd://...` replicas, loads SERVICES ServiceEntries
with ENDPOINTS WorkloadEntries each through replica 1 (batches of 500 documents, each one etcd
transaction) and reports how long until every replica holds all of it and has pushed it; then
times CHANGES single-WorkloadEntry applies on replica 1 from the 2xx to the EDS push a raw ADS
client on replica 3 receives; and prints each replica's RSS.
"""

from __future__ import annotations

import statistics
import sys
import time

from ads_client import EDS, ADSStream, make_node
from etcd_server import EtcdServer
from fairway_server import FairwayServer

BATCH = 500


def service(i: int) -> str:
    host = f"svc-{i}.bulk.svc.cluster.local"
    return (f"apiVersion: networking.istio.io/v1\nkind: ServiceEntry\n"
            f"metadata: {{name: svc-{i}, namespace: bulk}}\n"
            f"spec: {{hosts: [{host}], location: MESH_INTERNAL, resolution: STATIC, "
            f"ports: [{{number: 80, name: http, protocol: HTTP}}], workloadSelector: {{labels: {{app: svc-{i}}}}}}}\n")


def endpoint(i: int, j: int, address: str | None = None) -> str:
    address = address or f"10.{i // 256 % 256}.{i % 256}.{j + 1}"
    return (f"apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\n"
            f"metadata: {{name: svc-{i}-{j}, namespace: bulk}}\n"
            f"spec: {{address: {address}, labels: {{app: svc-{i}}}}}\n")


def rss_mib(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(services: int, endpoints: int, changes: int) -> None:
    etcd = EtcdServer(extra=["--max-request-bytes", str(64 * 1024 * 1024)])
    replicas = [FairwayServer("--store", etcd.url, "--debounce-quiet-ms", "20") for _ in range(3)]
    try:
        one, _, three = replicas
        documents = [service(i) for i in range(services)]
        documents += [endpoint(i, j) for i in range(services) for j in range(endpoints)]
        started = time.monotonic()
        for k in range(0, len(documents), BATCH):
            status, body = one.request("POST", "/apply", "---\n".join(documents[k:k + BATCH]).encode())
            assert status == 200, body[:500]
        applied = time.monotonic() - started
        for replica in replicas:
            deadline = time.monotonic() + 300
            while len(replica.get_json("/debug/configz")) < len(documents):
                assert time.monotonic() < deadline, "replica never caught up"
                time.sleep(0.05)
            replica.wait_pushed(timeout=300)
        loaded = time.monotonic() - started
        print(f"initial load: {services} services x {endpoints} endpoints = {len(documents)} objects "
              f"in {len(documents) // BATCH + (len(documents) % BATCH > 0)} transactions: applied in {applied:.1f} s, "
              f"on all three replicas and pushed in {loaded:.1f} s")

        cluster = "outbound|80||svc-0.bulk.svc.cluster.local"
        stream = ADSStream(three.ads_address, make_node("sidecar~10.9.9.9~bench-1.bulk~bulk.svc.cluster.local"))
        stream.request(EDS, names=[cluster])
        stream.ack(stream.receive(timeout=30, strict=False))
        latencies = []
        for c in range(changes):
            address = f"10.250.{c // 250}.{c % 250 + 1}"
            status, body = one.request("POST", "/apply", endpoint(0, 1000 + c, address).encode())
            acknowledged = time.monotonic()
            assert status == 200, (body, one.logs())
            while True:
                response = stream.receive(timeout=30, strict=False)
                stream.ack(response)
                if address.encode() in response.SerializeToString():
                    break
            latencies.append((time.monotonic() - acknowledged) * 1000)
            time.sleep(0.05)
        stream.close()
        latencies.sort()
        print(f"apply on replica 1 -> EDS push on replica 3, {changes} changes (debounce 20 ms): "
              f"p50 {statistics.median(latencies):.1f} ms, p90 {latencies[int(len(latencies) * 0.9) - 1]:.1f} ms, "
              f"max {latencies[-1]:.1f} ms")
        print("RSS per replica: " + ", ".join(f"{rss_mib(r.process.pid):.0f} MiB" for r in replicas)
              + f"; etcd {rss_mib(etcd.process.pid):.0f} MiB")
    finally:
        for replica in replicas:
            replica.stop()
        etcd.close()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]] + [1000, 10, 50][len(sys.argv) - 1:]
    main(*args[:3])
