"""Real Envoy sidecars for issue #25's routing part: delegate VirtualServices, several
VirtualServices for one host (the oldest wins, the conflict is reported), and locality load
balancing (failover with outlier detection, distribute weights)."""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest

from fairway_server import FairwayServer
import mesh_net
from mesh_net import Net, node_id
from traffic_mesh import binomial_bounds

REASON = mesh_net.namespaces_supported()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"real-Envoy tests: {REASON}")

WEB = "web.default.svc.cluster.local"
ORDERS = "orders.default.svc.cluster.local"
WEB_URL = "http://240.240.0.20:9080"
ORDERS_URL = "http://240.240.0.21:9080"

SERVICES = f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: web, namespace: default}}
spec:
  hosts: [{WEB}]
  addresses: [240.240.0.20]
  location: MESH_INTERNAL
  ports: [{{number: 9080, name: http, protocol: HTTP}}]
  resolution: STATIC
  workloadSelector: {{labels: {{app: web}}}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {{name: web-v1, namespace: default}}
spec: {{address: 10.77.0.41, labels: {{app: web, version: v1}}}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {{name: web-v2, namespace: default}}
spec: {{address: 10.77.0.42, labels: {{app: web, version: v2}}}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: orders, namespace: default}}
spec:
  hosts: [{ORDERS}]
  addresses: [240.240.0.21]
  location: MESH_INTERNAL
  ports: [{{number: 9080, name: http, protocol: HTTP}}]
  resolution: STATIC
  endpoints: [{{address: 10.77.0.43}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: web, namespace: default}}
spec:
  host: {WEB}
  subsets:
  - {{name: v1, labels: {{version: v1}}}}
  - {{name: v2, labels: {{version: v2}}}}
"""


@pytest.fixture()
def server():
    mesh_net.remove_leftovers()
    s = FairwayServer()
    yield s
    s.stop()


def backends(client, url: str, count: int, headers: dict[str, str] | None = None) -> list[str]:
    """Who answered each of `count` requests (the status when not 200)."""
    merged = {"host": f"{WEB}:9080", **(headers or {})}
    return [json.loads(r["body"])["backend"] if r["status"] == 200 else r["status"]
            for r in client.http_many(url, count, headers=merged)]


ROOT = f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: web, namespace: default}}
spec:
  hosts: [{WEB}]
  http:
  - name: a
    match: [{{uri: {{prefix: /a}}}}]
    delegate: {{name: web-a}}
  - name: b
    match: [{{uri: {{prefix: /b}}}}]
    delegate: {{name: web-b, namespace: default}}
  - route: [{{destination: {{host: {WEB}, subset: v1}}}}]
"""

DELEGATE_A = f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: web-a, namespace: default}}
spec:
  http:
  - name: canary
    match: [{{headers: {{x-canary: {{exact: "yes"}}}}}}]
    route: [{{destination: {{host: web, subset: v2}}}}]
  - name: outside-root-prefix
    match: [{{uri: {{prefix: /c}}}}]
    route: [{{destination: {{host: web, subset: v2}}}}]
  - name: rest
    route: [{{destination: {{host: web, subset: v1}}}}]
"""


def delegate_b(destination: str) -> str:
    return f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: web-b, namespace: default}}
spec:
  http:
  - route: [{{destination: {destination}}}]
"""


def test_traffic_follows_delegated_routes(server):
    server.apply(SERVICES + "---" + ROOT + "---" + DELEGATE_A + "---" + delegate_b(f"{{host: {ORDERS}}}"))
    with Net(server.ads_port) as net:
        net.backend_pods((("web-v1", "10.77.0.41"), ("web-v2", "10.77.0.42"), ("orders", "10.77.0.43")), 9080)
        client, sidecar = net.client_with_sidecar("frontend", "10.77.0.30", "app=frontend")
        # /a goes to delegate A: by header to v2, else v1.
        assert backends(client, WEB_URL + "/a/x", 4) == ["web-v1"] * 4
        assert backends(client, WEB_URL + "/a/x", 4, {"x-canary": "yes"}) == ["web-v2"] * 4
        # A delegate route outside the root's /a is dropped (istiod: conflicting match), so /c
        # falls through to the root's own route, even with the header only delegate A knows.
        assert backends(client, WEB_URL + "/c", 3, {"x-canary": "yes"}) == ["web-v1"] * 3
        # /b goes to delegate B: another service.
        assert backends(client, WEB_URL + "/b/1", 4) == ["orders"] * 4
        routes = sidecar.config_dump("dynamic_route_configs")
        names = [r.get("name", "") for c in routes["configs"] for h in c["route_config"]["virtual_hosts"]
                 if h["name"] == f"{WEB}:9080" for r in h["routes"]]
        assert names == ["a-canary", "a-rest", "b", ""], names

        # A change to the delegate alone reroutes the root's host.
        server.apply(delegate_b(f"{{host: {WEB}, subset: v2}}"))
        deadline = time.monotonic() + 10
        while backends(client, WEB_URL + "/b/1", 1) != ["web-v2"]:
            assert time.monotonic() < deadline, sidecar.logs()
            time.sleep(0.2)
        assert backends(client, WEB_URL + "/b/1", 4) == ["web-v2"] * 4
        assert sidecar.rejections() == {}, sidecar.logs()


def route_to(name: str, subset: str) -> str:
    return f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: {name}, namespace: default}}
spec:
  hosts: [{WEB}]
  http:
  - route: [{{destination: {{host: {WEB}, subset: {subset}}}}}]
"""


def test_oldest_virtual_service_wins_and_the_conflict_is_reported(server):
    server.apply(SERVICES + "---" + route_to("zz-first", "v1"))
    # Creation times have one-second resolution (as Kubernetes'): the second one is younger.
    time.sleep(1.1)
    status, body = server.request("POST", "/apply?analyze=true", route_to("aa-second", "v2").encode())
    assert status == 200, body
    server.wait_pushed()
    conflicts = [a for a in json.loads(body)["analysis"] if a["code"] == "IST0109"]
    assert {a["origin"] for a in conflicts} == {"VirtualService default/zz-first",
                                                 "VirtualService default/aa-second"}, conflicts
    assert all("Fairway routes with default/zz-first" in a["message"] for a in conflicts), conflicts
    debug = server.get_json("/debug/analyze")
    assert {a["origin"] for a in debug if a["code"] == "IST0109"} == {
        "VirtualService default/zz-first", "VirtualService default/aa-second"}
    with Net(server.ads_port) as net:
        net.backend_pods((("web-v1", "10.77.0.41"), ("web-v2", "10.77.0.42")), 9080)
        client, sidecar = net.client_with_sidecar("frontend", "10.77.0.30", "app=frontend")
        # Though "aa-second" sorts first by name, the older "zz-first" routes.
        assert backends(client, WEB_URL + "/", 6) == ["web-v1"] * 6
        server.delete("virtualservices", "zz-first")
        deadline = time.monotonic() + 10
        while backends(client, WEB_URL + "/", 1) != ["web-v2"]:
            assert time.monotonic() < deadline, sidecar.logs()
            time.sleep(0.2)
        assert backends(client, WEB_URL + "/", 6) == ["web-v2"] * 6
        assert not [a for a in server.get_json("/debug/analyze") if a["code"] == "IST0109"]
        assert sidecar.rejections() == {}, sidecar.logs()


API = "api.default.svc.cluster.local"
API_URL = "http://240.240.0.30:9080"
LOCALITY_MESH = f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: api, namespace: default}}
spec:
  hosts: [{API}]
  addresses: [240.240.0.30]
  location: MESH_INTERNAL
  ports: [{{number: 9080, name: http, protocol: HTTP}}]
  resolution: STATIC
  workloadSelector: {{labels: {{app: api}}}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {{name: api-z1, namespace: default}}
spec: {{address: 10.77.0.51, locality: r1/z1, labels: {{app: api}}}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {{name: api-z2, namespace: default}}
spec: {{address: 10.77.0.52, locality: r1/z2, labels: {{app: api}}}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: api, namespace: default}}
spec:
  hosts: [{API}]
  http:
  - route: [{{destination: {{host: {API}}}}}]
    retries: {{attempts: 0}}
"""


def api_rule(load_balancer: str, outlier: bool) -> str:
    detection = ("\n    outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 60s,"
                 " maxEjectionPercent: 100}") if outlier else ""
    return f"""
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: api, namespace: default}}
spec:
  host: {API}
  trafficPolicy:
    loadBalancer: {load_balancer}{detection}
"""


def locality_client(net: Net, region: str, zone: str):
    """A client pod whose sidecar's node says it runs in region/zone (as istio-agent sets it)."""
    client = net.pod("client", "10.77.0.60")

    def edit(bootstrap: dict) -> None:
        bootstrap["node"]["locality"] = {"region": region, "zone": zone}

    sidecar = client.start_sidecar(node_id("sidecar", "10.77.0.60", "client-1"), labels="app=client",
                                   bootstrap_edit=edit)
    sidecar.wait_synced(("cluster_manager.cds", "listener_manager.lds"))
    return client, sidecar


def api_backends(client, count: int) -> list:
    return [json.loads(r["body"])["backend"] if r["status"] == 200 else r["status"]
            for r in client.http_many(API_URL + "/loc", count, headers={"host": f"{API}:9080"})]


def test_locality_failover_moves_traffic_to_the_next_zone(server):
    server.apply(LOCALITY_MESH + "---" + api_rule("{simple: ROUND_ROBIN, localityLbSetting: {enabled: true}}",
                                                  outlier=True))
    with Net(server.ads_port) as net:
        z1 = net.pod("api-z1", "10.77.0.51")
        z1.python("mesh_backend.py", "api-z1", "9080", str(z1.dir / "backend.log"))
        z1.wait_listening(9080, "10.77.0.51")
        net.backend_pods((("api-z2", "10.77.0.52"),), 9080)
        client, sidecar = locality_client(net, "r1", "z1")
        # The sidecar's own zone has priority 0: all traffic stays in z1 while it is healthy.
        assert api_backends(client, 20) == ["api-z1"] * 20
        status, clusters = sidecar.admin("/clusters?format=json")
        priorities = {h["locality"]["zone"]: h.get("priority", 0)
                      for c in json.loads(clusters)["cluster_statuses"] if c["name"] == f"outbound|9080||{API}"
                      for h in c["host_statuses"]}
        assert priorities == {"z1": 0, "z2": 1}, priorities

        # z1 starts failing: outlier detection ejects it and priority 1 (z2) takes the traffic.
        (z1.dir / "9080.fail").write_text("")
        results, deadline = [], time.monotonic() + 10
        while not results[-5:] == ["api-z2"] * 5:
            assert time.monotonic() < deadline, (results, sidecar.stats("outlier"))
            results += api_backends(client, 1)
        failures = results.count(503)
        print(f"locality failover: {failures} failed request(s) before z2 took over")
        assert 1 <= failures <= 5, results
        time.sleep(1.5)
        assert api_backends(client, 20) == ["api-z2"] * 20
        stat = f"cluster.outbound|9080||{API}.outlier_detection.ejections_active"
        assert sidecar.stats("ejections_active").get(stat) == 1
        assert sidecar.rejections() == {}, sidecar.logs()


def test_locality_distribute_weights_show_in_traffic(server):
    distribute = ("{simple: ROUND_ROBIN, localityLbSetting: {enabled: true, distribute: "
                  "[{from: r1/z1/*, to: {r1/z1/*: 80, r1/z2/*: 20}}]}}")
    server.apply(LOCALITY_MESH + "---" + api_rule(distribute, outlier=False))
    with Net(server.ads_port) as net:
        net.backend_pods((("api-z1", "10.77.0.51"), ("api-z2", "10.77.0.52")), 9080)
        client, sidecar = locality_client(net, "r1", "z1")
        n = 200
        seen = Counter(api_backends(client, n))
        lo, hi = binomial_bounds(n, 0.8)
        print(f"locality distribute 80/20 from r1/z1: {dict(seen)} of {n} (bounds {lo}..{hi})")
        assert set(seen) == {"api-z1", "api-z2"}, seen
        assert lo <= seen["api-z1"] <= hi, seen
        assert sidecar.rejections() == {}, sidecar.logs()
