"""A proxy that stops reading must not delay anyone else, and must cost bounded memory."""

import queue
import threading
import time

import grpc
from envoy.service.discovery.v3 import ads_pb2_grpc, discovery_pb2

from ads_client import CDS, ADSStream, make_node
from fairway_server import FairwayServer
from mesh_fixtures import reviews_rule


def big_mesh(services: int) -> str:
    docs = []
    for i in range(services):
        docs.append(f"""apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: svc-{i}, namespace: default}}
spec:
  hosts: [svc-{i}.default.svc.cluster.local]
  resolution: STATIC
  ports: [{{number: 8080, name: http, protocol: HTTP}}, {{number: 9090, name: grpc, protocol: GRPC}}]
  endpoints: [{{address: 10.8.{i // 250}.{i % 250}}}]
""")
    return "---\n".join(docs)


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def push_rounds(server, healthy, rounds: int, offset: int) -> list:
    latencies = []
    for round_ in range(offset, offset + rounds):
        policy = "ROUND_ROBIN" if round_ % 2 == 0 else "RANDOM"
        started = time.monotonic()
        server.apply(reviews_rule(policy) + "---\n" + big_mesh(1).replace("svc-0", f"extra-{round_}"), wait=False)
        for s in healthy:
            s.ack(s.receive(timeout=10, strict=False))
        latencies.append(time.monotonic() - started)
    return sorted(latencies)


def test_stalled_proxy_does_not_delay_others_and_memory_stays_bounded():
    server = FairwayServer("--debounce-quiet-ms", "10")
    healthy = []
    try:
        server.apply(big_mesh(400))
        for i in range(20):
            s = ADSStream(server.ads_address, make_node(f"sidecar~10.9.0.{i}~ok-{i}.default~default.svc.cluster.local"))
            s.request(CDS)
            s.ack(s.receive(timeout=10))
            healthy.append(s)
        before = push_rounds(server, healthy, 10, 0)

        # The stalled proxy: subscribes to CDS (hundreds of KB) and never reads a response.
        channel = grpc.insecure_channel(server.ads_address)
        stub = ads_pb2_grpc.AggregatedDiscoveryServiceStub(channel)
        requests: queue.Queue = queue.Queue()
        requests.put(discovery_pb2.DiscoveryRequest(
            type_url=CDS, node=make_node("sidecar~10.99.0.1~stalled.default~default.svc.cluster.local")))
        stalled_call = stub.StreamAggregatedResources(iter(requests.get, None))
        time.sleep(0.5)
        baseline_rss = rss_kib(server.process.pid)
        during = push_rounds(server, healthy, 30, 10)
        grown = rss_kib(server.process.pid) - baseline_rss
        print(f"\n20 healthy streams, CDS of 400 services: push latency without a stalled proxy "
              f"p50 {before[5] * 1000:.0f} ms max {before[-1] * 1000:.0f} ms; with one "
              f"p50 {during[15] * 1000:.0f} ms max {during[-1] * 1000:.0f} ms; "
              f"server RSS grew {grown / 1024:.1f} MiB over 30 pushes")
        assert during[15] < before[5] * 1.5 + 0.1, (before, during)
        # 30 full CDS pushes of several hundred KB each would be tens of MB if queued.
        assert grown < 40 * 1024, grown
        syncz = {s["proxy"]: s for s in server.get_json("/debug/syncz")}
        stalled = syncz["sidecar~10.99.0.1~stalled.default~default.svc.cluster.local"]
        assert stalled["xds"][CDS]["state"] == "STALE"
        stalled_call.cancel()
        channel.close()
    finally:
        for s in healthy:
            s.close()
        server.stop()
