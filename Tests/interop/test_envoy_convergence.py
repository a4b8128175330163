"""Convergence with real Envoys (issue 19, item 6): the time from an apply's 2xx to (a) the
consumer Envoy's stats showing the new route version and (b) traffic following it, for an HTTP
weight change (RDS) and a Dubbo route change (drds), each flipped back and forth.

`make convergence` runs 20 changes of each and prints p50/max (the figures in BENCHMARKS.md);
the default run makes FAIRWAY_CONVERGENCE_CHANGES=4 of each. Fairway runs with its default
debounce (100 ms quiet), so that is the floor of every figure. The bound asserted (10 s per
change) is a sanity check, not a performance claim."""

from __future__ import annotations

import json
import os
import re
import statistics
import time

import pytest

from fairway_server import FairwayServer
import mesh_net
from mesh_net import Net
from test_envoy_dubbo import DEMO, DRDS_STAT, DubboMesh
from test_envoy_smoke import MESH as SMOKE_MESH, server  # noqa: F401 (the fixture)

REASON = mesh_net.namespaces_supported()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"real-Envoy tests: {REASON}")

CHANGES = int(os.environ.get("FAIRWAY_CONVERGENCE_CHANGES", "4"))
BOUND_SECONDS = 10.0

# The smoke test's reviews service (VIP 240.240.0.10, v1 on 10.77.0.21, v2 on 10.77.0.22, a
# DestinationRule with both subsets), without its VirtualService: each change brings its own.
HTTP_MESH = "---".join(doc for doc in SMOKE_MESH.split("---") if "kind: VirtualService" not in doc)


def weights_vs(v1: int, v2: int) -> str:
    return f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: reviews, namespace: default}}
spec:
  hosts: [reviews.default.svc.cluster.local]
  http:
  - route:
    - {{destination: {{host: reviews.default.svc.cluster.local, subset: v1}}, weight: {v1}}}
    - {{destination: {{host: reviews.default.svc.cluster.local, subset: v2}}, weight: {v2}}}
"""


def dubbo_say_hello_to(color: str) -> str:
    out = DEMO.replace("subset: blue}\n    timeout: 3s", f"subset: {color}}}\n    timeout: 3s")
    assert "timeout: 3s" in out and (color == "blue" or out != DEMO)
    return out


def measure(server: FairwayServer, yaml_text: str, version, answer, expected: str) -> tuple[float, float]:
    """Applies yaml_text; returns (seconds to the new version in Envoy's stats, seconds to the
    first call answered by `expected`), both from the moment the apply's 2xx arrived."""
    old_version = version()
    status, body = server.request("POST", "/apply", yaml_text.encode())
    start = time.monotonic()
    assert status == 200, body
    stats_at = traffic_at = None
    while (stats_at is None or traffic_at is None) and time.monotonic() - start < BOUND_SECONDS:
        if stats_at is None and version() != old_version:
            stats_at = time.monotonic() - start
        if traffic_at is None and answer() == expected:
            traffic_at = time.monotonic() - start
    assert stats_at is not None and traffic_at is not None, f"no convergence in {BOUND_SECONDS}s"
    return stats_at, traffic_at


def report(name: str, samples: list[tuple[float, float]]) -> str:
    def ms(values):
        return f"p50 {statistics.median(values) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms"
    line = (f"{name}: {len(samples)} changes; stats {ms([s for s, _ in samples])}; "
            f"traffic {ms([t for _, t in samples])}")
    print("\nconvergence " + line)
    return line


def test_http_weight_change_convergence(server):
    server.apply(HTTP_MESH + "---" + weights_vs(100, 0))
    with Net(server.ads_port) as net:
        net.backend_pods((("reviews-v1", "10.77.0.21"), ("reviews-v2", "10.77.0.22")), 9080)
        client, sidecar = net.client_with_sidecar("productpage", "10.77.0.30", "app=productpage")
        probe = client.python_pipe("mesh_client.py", "--lines")
        request = json.dumps({"url": "http://240.240.0.10:9080/reviews", "timeout": 5,
                              "headers": {"host": "reviews.default.svc.cluster.local:9080"}}) + "\n"

        def answer() -> str:
            assert probe.stdin is not None and probe.stdout is not None
            probe.stdin.write(request)
            result = json.loads(probe.stdout.readline())
            return json.loads(result["body"])["backend"] if result["status"] == 200 else f"status {result['status']}"

        def version():
            return {k: v for k, v in sidecar.stats(r"\.rds\.9080\.version_text$").items()}

        assert version(), sidecar.stats(r"rds")
        deadline = time.monotonic() + 10
        while answer() != "reviews-v1" and time.monotonic() < deadline:
            time.sleep(0.05)
        samples = []
        for change in range(CHANGES):
            target = ("reviews-v2", 0, 100) if change % 2 == 0 else ("reviews-v1", 100, 0)
            samples.append(measure(server, HTTP_MESH + "---" + weights_vs(target[1], target[2]),
                                   version, answer, target[0]))
        report("HTTP weight change (RDS)", samples)
        assert sidecar.rejections() == {}


def test_dubbo_route_change_convergence(server):
    server.apply(DEMO)
    with Net(server.ads_port) as net:
        mesh = DubboMesh(server, net, interception=True)

        def answer() -> str:
            result = mesh.calls([{"method": "sayHello", "args": ["x"]}])["results"][0]
            return result["value"]["provider"] if result["ok"] else result["error"]

        def version():
            return mesh.sidecar.stats(re.escape(f"{DRDS_STAT}.version_text")).get(f"{DRDS_STAT}.version_text")

        assert answer() == "blue"
        samples = []
        for change in range(CHANGES):
            color = "green" if change % 2 == 0 else "blue"
            samples.append(measure(server, dubbo_say_hello_to(color), version, answer, color))
        report("Dubbo route change (drds)", samples)
        assert mesh.rejections() == {}
