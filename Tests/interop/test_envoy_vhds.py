"""VHDS (issue #24): a real Envoy sidecar on Delta ADS gets its virtual hosts as VirtualHost
resources, on demand by default; a VirtualService change sends only the virtual hosts it
changed, to the sidecars that hold them, and nothing is NACKed."""

from __future__ import annotations

import json
import time

import pytest

from ads_client import LDS, RDS, VHDS, ADSStream, make_node
from fairway_server import FairwayServer
import mesh_net
from mesh_net import Net, node_id

REASON = mesh_net.namespaces_supported()
envoy_only = pytest.mark.skipif(REASON is not None, reason=f"real-Envoy tests: {REASON}")

MESH = """
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews.default.svc.cluster.local]
  addresses: [240.240.0.10]
  location: MESH_INTERNAL
  ports: [{number: 9080, name: http, protocol: HTTP}]
  resolution: STATIC
  workloadSelector: {labels: {app: reviews}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ratings, namespace: default}
spec:
  hosts: [ratings.default.svc.cluster.local]
  addresses: [240.240.0.11]
  location: MESH_INTERNAL
  ports: [{number: 9080, name: http, protocol: HTTP}]
  resolution: STATIC
  workloadSelector: {labels: {app: ratings}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: reviews-v1, namespace: default}
spec: {address: 10.77.0.21, labels: {app: reviews, version: v1}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: reviews-v2, namespace: default}
spec: {address: 10.77.0.22, labels: {app: reviews, version: v2}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: ratings-v1, namespace: default}
spec: {address: 10.77.0.23, labels: {app: ratings, version: v1}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: reviews.default.svc.cluster.local
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
"""


def reviews_vs(default_subset: str) -> str:
    return f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: reviews, namespace: default}}
spec:
  hosts: [reviews.default.svc.cluster.local]
  http:
  - match: [{{headers: {{end-user: {{exact: jason}}}}}}]
    route: [{{destination: {{host: reviews.default.svc.cluster.local, subset: v2}}}}]
  - route: [{{destination: {{host: reviews.default.svc.cluster.local, subset: {default_subset}}}}}]
"""


REVIEWS = "http://240.240.0.10:9080/reviews"
REVIEWS_HOST = {"host": "reviews.default.svc.cluster.local:9080"}


@pytest.fixture()
def server():
    mesh_net.remove_leftovers()
    s = FairwayServer("--debounce-quiet-ms", "20")
    yield s
    s.stop()


def backends(responses: list[dict]) -> list:
    return [json.loads(r["body"])["backend"] if r["status"] == 200 else r for r in responses]


def route_configs(sidecar) -> dict:
    dump = sidecar.config_dump("dynamic_route_configs")
    return {c["route_config"]["name"]: c["route_config"] for c in dump.get("configs", [])}


def update_counts(sidecar) -> dict:
    stats = sidecar.stats(r"(listener_manager\.lds|\.rds\.9080|vhds\.9080)\.(update_success|config_reload)$")
    return {k: v for k, v in stats.items() if isinstance(v, int)}


@envoy_only
def test_delta_sidecar_loads_hosts_on_demand_and_a_route_change_reaches_traffic(server):
    server.apply(MESH + "---" + reviews_vs("v1"))
    with Net(server.ads_port) as net:
        net.backend_pods((("reviews-v1", "10.77.0.21"), ("reviews-v2", "10.77.0.22"),
                          ("ratings-v1", "10.77.0.23"), ("outside", "10.77.0.40")), 9080)
        client = net.pod("productpage", "10.77.0.30")
        sidecar = client.start_sidecar(node_id("sidecar", "10.77.0.30", "productpage-1"),
                                       labels="app=productpage", extra_bootstrap_args=("--delta",))
        sidecar.wait_synced(("cluster_manager.cds", "listener_manager.lds"))
        mesh_net._wait_for(lambda: "9080" in route_configs(sidecar), 20, "route config 9080")

        # VHDS initialized at once (the bodyless marker), not after Envoy's initial fetch timeout.
        assert sidecar.stats(r"vhds\.9080\.init_fetch_timeout").get(
            "http.outbound_0.0.0.0_9080.rds.vhds.9080.init_fetch_timeout") == 0
        # The route config carries vhds and no host: nothing is loaded before the first request.
        config = route_configs(sidecar)["9080"]
        assert config.get("vhds"), config
        assert config.get("virtual_hosts", []) == [], config

        # First request to a host the sidecar has not loaded: succeeds on the first try.
        first = client.http(REVIEWS, headers=REVIEWS_HOST)
        assert first["status"] == 200, (first, sidecar.logs())
        assert json.loads(first["body"])["backend"] == "reviews-v1"
        assert backends(client.http_many(REVIEWS, 3, headers={**REVIEWS_HOST, "end-user": "jason"})) \
            == ["reviews-v2"] * 3
        # Another alias of another service, by its VIP: also first try.
        ratings = client.http("http://240.240.0.11:9080/ratings")
        assert ratings["status"] == 200 and json.loads(ratings["body"])["backend"] == "ratings-v1", ratings
        # A host the mesh does not know goes to its original destination (ALLOW_ANY).
        outside = client.http("http://10.77.0.40:9080/x")
        assert outside["status"] == 200 and json.loads(outside["body"])["backend"] == "outside", outside

        loaded = [h["name"] for h in route_configs(sidecar)["9080"].get("virtual_hosts", [])]
        assert sorted(loaded) == ["9080/10.77.0.40:9080", "9080/240.240.0.11:9080",
                                  "9080/reviews.default.svc.cluster.local:9080"], loaded

        # A VirtualService change reaches traffic through VHDS alone: LDS and RDS stay put.
        before = update_counts(sidecar)
        server.apply(reviews_vs("v2"))
        deadline = time.time() + 15
        while time.time() < deadline:
            if backends(client.http_many(REVIEWS, 3, headers=REVIEWS_HOST)) == ["reviews-v2"] * 3:
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"route change never reached traffic; {sidecar.logs()}")
        after = update_counts(sidecar)
        lds = "listener_manager.lds.update_success"
        rds = [k for k in after if k.endswith(".rds.9080.update_success")]
        vhds = [k for k in after if "vhds.9080" in k]
        assert after[lds] == before[lds], (before, after)
        assert rds and all(after[k] == before[k] for k in rds), (before, after)
        assert vhds and any(after[k] > before.get(k, 0) for k in vhds), (before, after)
        assert sidecar.rejections() == {}, sidecar.logs()


@envoy_only
def test_up_front_delta_sidecar_gets_every_host_and_follows_a_route_change(server):
    server.apply(MESH + "---" + reviews_vs("v1"))
    with Net(server.ads_port) as net:
        net.backend_pods((("reviews-v1", "10.77.0.21"), ("reviews-v2", "10.77.0.22"),
                          ("ratings-v1", "10.77.0.23")), 9080)
        client = net.pod("productpage", "10.77.0.30")
        sidecar = client.start_sidecar(node_id("sidecar", "10.77.0.30", "productpage-1"),
                                       labels="app=productpage",
                                       extra_bootstrap_args=("--delta", "--vhds", "up-front"))
        sidecar.wait_synced(("cluster_manager.cds", "listener_manager.lds"))
        try:
            mesh_net._wait_for(lambda: len(route_configs(sidecar).get("9080", {}).get("virtual_hosts", [])) == 3,
                               20, "up-front virtual hosts")
        except TimeoutError:
            raise AssertionError(f"{route_configs(sidecar)}\n{sidecar.stats('vhds|rds')}\n{sidecar.logs()}")
        names = sorted(h["name"] for h in route_configs(sidecar)["9080"]["virtual_hosts"])
        assert names == ["9080/ratings.default.svc.cluster.local:9080",
                         "9080/reviews.default.svc.cluster.local:9080", "allow_any"], names
        assert backends(client.http_many(REVIEWS, 3, headers=REVIEWS_HOST)) == ["reviews-v1"] * 3
        server.apply(reviews_vs("v2"))
        deadline = time.time() + 15
        while backends(client.http_many(REVIEWS, 3, headers=REVIEWS_HOST)) != ["reviews-v2"] * 3:
            assert time.time() < deadline, sidecar.logs()
            time.sleep(0.2)
        assert sidecar.rejections() == {}, sidecar.logs()


SIDECAR = "sidecar~10.9.0.1~productpage-1.default~default.svc.cluster.local"


def sync_delta(s: ADSStream, names: list[str]):
    """LDS, RDS for `names`, then the VirtualHost namespace; returns the RDS response."""
    s.delta_request(LDS)
    lds = s.receive()
    s.ack(lds)
    s.delta_request(RDS, subscribe=names)
    rds = s.receive()
    s.ack(rds)
    return rds


def test_one_route_change_sends_only_the_changed_virtual_host(server):
    """Stream level: the bytes of one VirtualService change on a VHDS stream are the changed
    virtual host alone (<= 2 KB), and a host the stream does not hold sends nothing."""
    server.apply(MESH + "---" + reviews_vs("v1"))
    s = ADSStream(server.ads_address, make_node(SIDECAR), delta=True)
    other = ADSStream(server.ads_address, make_node(SIDECAR.replace("10.9.0.1", "10.9.0.2")), delta=True)
    sotw = ADSStream(server.ads_address, make_node(SIDECAR.replace("10.9.0.1", "10.9.0.3")))
    try:
        rds = sync_delta(s, ["9080"])
        config = ADSStream.resources(rds)["9080"]
        assert config.HasField("vhds") and len(config.virtual_hosts) == 0
        # Envoy's VHDS starts as a wildcard (it keeps the route config's name to itself): on
        # demand that brings one bodyless `9080/` marker, so its VHDS init completes; then it
        # subscribes to the host of a request.
        s.delta_request(VHDS)
        marker = s.receive()
        assert [(r.name, list(r.aliases), r.HasField("resource")) for r in marker.resources] \
            == [("9080/", ["9080/"], False)]
        s.ack(marker)
        s.delta_request(VHDS, subscribe=["9080/reviews.default.svc.cluster.local:9080"])
        got = s.receive()
        hosts = ADSStream.resources(got)
        assert list(hosts) == ["9080/reviews.default.svc.cluster.local:9080"]
        host = hosts["9080/reviews.default.svc.cluster.local:9080"]
        assert list(host.domains) == ["reviews.default.svc.cluster.local:9080"]
        assert host.routes[-1].route.cluster == "outbound|9080|v1|reviews.default.svc.cluster.local"
        s.ack(got)

        # A stream holding only ratings, and a SotW stream with full RDS.
        sync_delta(other, ["9080"])
        other.delta_request(VHDS)
        other.ack(other.receive())
        other.delta_request(VHDS, subscribe=["9080/ratings.default.svc.cluster.local:9080"])
        other.ack(other.receive())
        sotw.request(RDS, names=["9080"])
        sotw_first = sotw.receive()
        sotw.ack(sotw_first)

        server.apply(reviews_vs("v2"))
        pushed = s.receive()
        assert pushed.type_url == VHDS, pushed.type_url
        assert [r.name for r in pushed.resources] == ["9080/reviews.default.svc.cluster.local:9080"]
        changed = ADSStream.resources(pushed)["9080/reviews.default.svc.cluster.local:9080"]
        assert changed.routes[-1].route.cluster == "outbound|9080|v2|reviews.default.svc.cluster.local"
        size = pushed.ByteSize()
        assert size <= 2048, size
        s.ack(pushed)
        s.expect_nothing(0.5)  # no RDS, no LDS
        other.expect_nothing(0.3)  # it does not hold reviews
        full = sotw.receive()
        assert full.type_url == RDS and full.ByteSize() > size
    finally:
        for stream in (s, other, sotw):
            stream.close()
