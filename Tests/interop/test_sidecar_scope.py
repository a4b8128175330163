"""Issue 25 with real Envoys: a Sidecar's egress hosts and REGISTRY_ONLY, pushes cut to the
proxies that can see a change, exportTo `.` on ServiceEntry and VirtualService, and istiod's
DestinationRule lookup order (each client namespace gets its own rule), seen in traffic."""

from __future__ import annotations

import json
import time

import pytest

from fairway_server import FairwayServer
import mesh_net
from mesh_net import Net, node_id

REASON = mesh_net.namespaces_supported()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"real-Envoy tests: {REASON}")

ALPHA = "alpha.team-a.svc.cluster.local"
BETA = "beta.team-b.svc.cluster.local"
GAMMA = "gamma.team-c.svc.cluster.local"

MESH = f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: alpha, namespace: team-a}}
spec:
  hosts: [{ALPHA}]
  addresses: [240.240.1.10]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{{number: 8080, name: http, protocol: HTTP}}]
  endpoints: [{{address: 10.77.0.41, labels: {{version: v1}}}}, {{address: 10.77.0.42, labels: {{version: v2}}}}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: beta, namespace: team-b}}
spec:
  hosts: [{BETA}]
  addresses: [240.240.1.20]
  exportTo: ["."]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{{number: 8080, name: http, protocol: HTTP}}]
  endpoints: [{{address: 10.77.0.43}}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: gamma, namespace: team-c}}
spec:
  hosts: [{GAMMA}]
  addresses: [240.240.1.30]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{{number: 8080, name: http, protocol: HTTP}}]
  endpoints: [{{address: 10.77.0.44}}]
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {{name: default, namespace: team-a}}
spec:
  egress: [{{hosts: ["./*", "team-b/*"]}}]
  outboundTrafficPolicy: {{mode: REGISTRY_ONLY}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: alpha, namespace: team-a}}
spec:
  host: {ALPHA}
  subsets: [{{name: pinned, labels: {{version: v1}}}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: alpha, namespace: team-c}}
spec:
  host: {ALPHA}
  subsets: [{{name: pinned-c, labels: {{version: v2}}}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: alpha, namespace: team-a}}
spec:
  hosts: [{ALPHA}]
  exportTo: ["."]
  http: [{{route: [{{destination: {{host: {ALPHA}, subset: pinned}}}}]}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: alpha, namespace: team-c}}
spec:
  hosts: [{ALPHA}]
  exportTo: ["."]
  http: [{{route: [{{destination: {{host: {ALPHA}, subset: pinned-c}}}}]}}]
"""

GAMMA_CHANGED = f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: gamma, namespace: team-c}}
spec:
  hosts: [{GAMMA}]
  addresses: [240.240.1.30]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{{number: 8080, name: http, protocol: HTTP}}, {{number: 8081, name: http-alt, protocol: HTTP}}]
  endpoints: [{{address: 10.77.0.44}}]
"""


@pytest.fixture(scope="module")
def mesh():
    mesh_net.remove_leftovers()
    server = FairwayServer()
    server.apply(MESH)
    net = Net(server.ads_port)
    try:
        net.backend_pods((("alpha-v1", "10.77.0.41"), ("alpha-v2", "10.77.0.42"), ("beta", "10.77.0.43"),
                          ("gamma", "10.77.0.44")), 8080)
        client_a = net.pod("client-a", "10.77.0.50")
        sidecar_a = client_a.start_sidecar(node_id("sidecar", "10.77.0.50", "client-a-1", "team-a"),
                                           namespace="team-a", labels="app=client-a")
        client_c = net.pod("client-c", "10.77.0.51")
        sidecar_c = client_c.start_sidecar(node_id("sidecar", "10.77.0.51", "client-c-1", "team-c"),
                                           namespace="team-c", labels="app=client-c")
        for sidecar in (sidecar_a, sidecar_c):
            sidecar.wait_synced(("cluster_manager.cds", "listener_manager.lds"))
        yield server, (client_a, sidecar_a), (client_c, sidecar_c)
    finally:
        net.close()
        server.stop()


def backends(pod, vip: str, host: str, count: int = 4) -> list:
    results = pod.http_many(f"http://{vip}:8080/", count, headers={"host": f"{host}:8080"})
    return [json.loads(r["body"])["backend"] if r["status"] == 200 else r["status"] for r in results]


def clusters(sidecar) -> set[str]:
    dump = sidecar.config_dump("dynamic_active_clusters")
    return {c["cluster"]["name"] for c in dump["configs"]}


def update_attempts(sidecar) -> int:
    return sum(v for v in sidecar.stats(r"update_attempt$").values() if isinstance(v, int))


def test_egress_hosts_registry_only_and_export_to(mesh):
    _, (client_a, sidecar_a), (client_c, sidecar_c) = mesh
    names_a = clusters(sidecar_a)
    assert f"outbound|8080||{ALPHA}" in names_a
    # gamma is outside team-a's egress hosts; beta is exported to team-b only.
    assert not any(GAMMA in n or BETA in n for n in names_a), names_a
    names_c = clusters(sidecar_c)
    assert f"outbound|8080||{GAMMA}" in names_c and not any(BETA in n for n in names_c), names_c
    # In scope: traffic flows (team-a's own DestinationRule and VirtualService: subset pinned = v1).
    assert backends(client_a, "240.240.1.10", ALPHA) == ["alpha-v1"] * 4
    # Out of scope under REGISTRY_ONLY: istiod's block_all answers 502 for HTTP...
    assert backends(client_a, "240.240.1.30", GAMMA) == [502] * 4
    assert backends(client_a, "10.77.0.44", "10.77.0.44") == [502] * 4
    # ...and a port no listener has goes to BlackHoleCluster: the connection is closed.
    assert client_a.http("http://10.77.0.44:9/", timeout=5)["status"] == 0
    blackhole = sidecar_a.stats(r"cluster\.BlackHoleCluster\.upstream_cx_none_healthy")
    assert blackhole.get("cluster.BlackHoleCluster.upstream_cx_none_healthy", 0) >= 1, blackhole
    # team-c has no Sidecar (ALLOW_ANY): the same unknown destination passes through.
    assert backends(client_c, "10.77.0.44", "10.77.0.44") == ["gamma"] * 4
    assert sidecar_a.rejections() == {} and sidecar_c.rejections() == {}, sidecar_a.logs()


def test_destination_rule_and_virtual_service_per_client_namespace(mesh):
    _, (client_a, sidecar_a), (client_c, sidecar_c) = mesh
    # Each namespace's VirtualService (exportTo .) routes to a subset its own DestinationRule
    # defines; with one rule for every namespace, one of the two subsets would not exist.
    assert backends(client_a, "240.240.1.10", ALPHA, 6) == ["alpha-v1"] * 6
    assert backends(client_c, "240.240.1.10", ALPHA, 6) == ["alpha-v2"] * 6
    names_a, names_c = clusters(sidecar_a), clusters(sidecar_c)
    assert f"outbound|8080|pinned|{ALPHA}" in names_a and f"outbound|8080|pinned-c|{ALPHA}" not in names_a
    assert f"outbound|8080|pinned-c|{ALPHA}" in names_c and f"outbound|8080|pinned|{ALPHA}" not in names_c


def test_change_out_of_scope_pushes_nothing(mesh):
    server, (_, sidecar_a), (_, sidecar_c) = mesh
    time.sleep(1)
    before_a, before_c = update_attempts(sidecar_a), update_attempts(sidecar_c)
    version_a = sidecar_a.stats(r"cluster_manager\.cds\.version_text")
    server.apply(GAMMA_CHANGED)
    # team-c's proxy gets the new port (a new cluster and listener)...
    sidecar_c.wait_version("cluster_manager.cds.version_text",
                           lambda v: f"outbound|8081||{GAMMA}" in clusters(sidecar_c))
    last = server.get_json("/debug/push_status")["lastPush"]
    assert last["proxiesPushed"] == 1, last
    assert update_attempts(sidecar_c) > before_c
    time.sleep(1)
    # ...team-a's proxy, whose Sidecar cannot see gamma, is sent nothing on its stream.
    assert update_attempts(sidecar_a) == before_a
    assert sidecar_a.stats(r"cluster_manager\.cds\.version_text") == version_a
    # A change it can see still reaches it.
    server.apply(MESH.replace("subsets: [{name: pinned, labels: {version: v1}}]",
                              "subsets: [{name: pinned, labels: {version: v1}}]\n  trafficPolicy: "
                              "{loadBalancer: {simple: RANDOM}}"))
    last = server.get_json("/debug/push_status")["lastPush"]
    assert last["proxiesPushed"] >= 1, last
    mesh_net._wait_for(lambda: update_attempts(sidecar_a) > before_a, 10, "team-a push")
