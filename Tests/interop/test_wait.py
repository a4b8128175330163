"""`fairway apply --wait` / `fairway wait` / `GET /wait`: block until every connected proxy has
ACKed a store revision; name the proxies that NACKed it (with their message) or are silent."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from ads_client import CDS, AutoProxy
from fairway_server import FairwayServer, fairway_binary
from mesh_fixtures import BASE, ratings
import mesh_net

RATINGS_CLUSTER = "outbound|9080||ratings.default.svc.cluster.local"


def node(name: str, ip: str) -> str:
    return f"sidecar~{ip}~{name}.default~default.svc.cluster.local"


@pytest.fixture
def fairway():
    server = FairwayServer("--debounce-quiet-ms", "20")
    server.apply(BASE)
    yield server
    server.stop()


@pytest.fixture
def proxies(fairway):
    made: list[AutoProxy] = []

    def make(name: str, ip: str) -> AutoProxy:
        proxy = AutoProxy(fairway.ads_address, node(name, ip))
        made.append(proxy)
        return proxy

    yield make
    for proxy in made:
        proxy.close()


def cli(fairway, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([fairway_binary(), *args, "--server", fairway.admin_url], input=stdin,
                          capture_output=True, text=True, timeout=60)


def settle(fairway, count: int) -> None:
    """Every one of `count` proxies holds the current revision (their first responses ACKed)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status, body = fairway.request("GET", "/wait?timeout=2s")
        answer = json.loads(body)
        if status == 200 and answer["synced"] == count:
            return
        time.sleep(0.05)
    raise AssertionError(f"proxies did not settle: {answer}")


def test_apply_wait_returns_once_a_fast_proxy_acked(fairway, proxies):
    fast = proxies("fast", "10.0.0.1")
    settle(fairway, 1)
    out = cli(fairway, "apply", "-f", "-", "--wait", "--timeout", "10s", stdin=ratings())
    assert out.returncode == 0, out.stderr
    assert "serviceentry.networking.istio.io/ratings created" in out.stdout
    assert "is ready in 1 proxy" in out.stdout, out.stdout
    # Returning means the proxy has it already: no waiting here.
    assert RATINGS_CLUSTER in fast.names(CDS)
    revision = int(out.stdout.split("revision ")[1].split()[0])
    assert revision == fairway.store_revision()

    # The admin API says the same, for any client; a proxy connecting later counts too.
    late = proxies("late", "10.0.0.2")
    deadline = time.monotonic() + 5
    while not late.received and time.monotonic() < deadline:  # connected: it has been answered
        time.sleep(0.01)
    status, body = fairway.request("GET", f"/wait?revision={revision}&timeout=10s")
    answer = json.loads(body)
    assert status == 200, answer
    assert answer["state"] == "synced" and "error" not in answer
    assert sorted(p["proxy"] for p in answer["proxies"]) == sorted([fast.node_id, late.node_id])
    assert RATINGS_CLUSTER in late.names(CDS)

    # Waiting for a revision the proxies already hold returns at once.
    again = cli(fairway, "wait", "--revision", str(revision))
    assert again.returncode == 0 and "is ready in 2 proxies" in again.stdout, again.stdout + again.stderr

    gone = cli(fairway, "delete", "serviceentry", "ratings", "--wait", "--timeout", "10s")
    assert gone.returncode == 0 and "is ready in 2 proxies" in gone.stdout, gone.stdout + gone.stderr
    assert RATINGS_CLUSTER not in fast.names(CDS) and RATINGS_CLUSTER not in late.names(CDS)


def test_nacking_and_silent_proxies_are_named(fairway, proxies):
    fast = proxies("fast", "10.0.0.1")
    nacking = proxies("nacking", "10.0.0.2")
    nacking.nack_message = "Cluster outbound|9080||ratings: refused by the test"
    silent = proxies("silent", "10.0.0.3")
    settle(fairway, 3)
    nacking.mode = "nack"
    silent.mode = "silent"
    started = time.monotonic()
    out = cli(fairway, "apply", "-f", "-", "--wait", "--timeout", "1500ms", stdin=ratings())
    took = time.monotonic() - started
    assert out.returncode == 2, (out.returncode, out.stdout, out.stderr)
    assert 1.4 < took < 8, took
    assert f"rejected by 1 proxy:\n    {nacking.node_id} CDS NACK: {nacking.nack_message}" in out.stderr, out.stderr
    assert f"not acknowledged within 1.5s by 1 proxy:\n    {silent.node_id} (waiting for CDS" in out.stderr
    assert "ready in 1 proxy" in out.stderr
    assert fast.node_id not in out.stderr

    revision = fairway.store_revision()
    status, body = fairway.request("GET", f"/wait?revision={revision}&timeout=200ms")
    answer = json.loads(body)
    assert status == 409, answer
    states = {p["proxy"]: p for p in answer["proxies"]}
    assert states[fast.node_id]["state"] == "synced"
    assert states[nacking.node_id]["state"] == "rejected"
    assert states[nacking.node_id]["rejected"] == [
        {"type": "CDS", "revision": revision, "message": nacking.nack_message}]
    assert states[silent.node_id]["state"] == "pending" and "CDS" in states[silent.node_id]["pending"]
    assert (answer["synced"], answer["rejected"], answer["pending"]) == (1, 1, 1)

    # The revision before the change is held by all three.
    before = cli(fairway, "wait", "--revision", str(revision - 1), "--timeout", "2s")
    assert before.returncode == 0 and "is ready in 3 proxies" in before.stdout, before.stdout + before.stderr


def test_a_silent_proxy_times_out_with_exit_1(fairway, proxies):
    proxies("fast", "10.0.0.1")
    silent = proxies("silent", "10.0.0.3")
    settle(fairway, 2)
    silent.mode = "silent"
    fairway.apply(ratings())
    out = cli(fairway, "wait", "--timeout", "500ms", "-o", "json")
    assert out.returncode == 1, (out.stdout, out.stderr)
    answer = json.loads(out.stdout)
    assert answer["state"] == "pending" and answer["pending"] == 1
    assert [p["proxy"] for p in answer["proxies"] if p["state"] == "pending"] == [silent.node_id]
    assert answer["error"] == f"1 proxy did not acknowledge revision {answer['revision']} within 0.5s"
    # The proxy answering late completes it.
    silent.mode = "ack"
    silent.stream.ack([r for r in silent.received if r.type_url == CDS][-1])
    done = cli(fairway, "wait", "--timeout", "5s")
    assert done.returncode == 0, done.stdout + done.stderr


def test_bad_input_is_a_400_naming_the_field(fairway):
    status, body = fairway.request("GET", "/wait?revision=99999")
    assert status == 400 and json.loads(body)["details"][0]["field"] == "revision"
    status, body = fairway.request("GET", "/wait?timeout=forever")
    assert status == 400 and json.loads(body)["details"][0]["field"] == "timeout"
    out = cli(fairway, "wait", "--timeout", "forever")
    assert out.returncode == 1 and "invalid --timeout" in out.stderr


MESH_REASON = mesh_net.namespaces_supported()

REVIEWS_V2 = """apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews.default.svc.cluster.local]
  addresses: [240.240.0.10]
  location: MESH_INTERNAL
  ports: [{number: 9080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 10.77.0.21, labels: {version: v1}}, {address: 10.77.0.22, labels: {version: v2}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: reviews.default.svc.cluster.local
  subsets: [{name: v2, labels: {version: v2}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews.default.svc.cluster.local]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: reviews.default.svc.cluster.local, subset: v2}}]
  - route: [{destination: {host: reviews.default.svc.cluster.local}}]
"""


@pytest.mark.skipif(MESH_REASON is not None, reason=f"real-Envoy tests: {MESH_REASON}")
def test_apply_wait_returns_with_the_config_in_a_real_envoy(tmp_path):
    mesh_net.remove_leftovers()
    server = FairwayServer("--debounce-quiet-ms", "20")
    try:
        with mesh_net.Net(server.ads_port) as net:
            _, sidecar = net.client_with_sidecar("productpage", "10.77.0.30", "app=productpage")
            manifest = tmp_path / "reviews.yaml"
            manifest.write_text(REVIEWS_V2)
            out = subprocess.run([fairway_binary(), "apply", "-f", str(manifest), "--wait", "--timeout", "20s",
                                  "--server", server.admin_url], capture_output=True, text=True, timeout=60)
            assert out.returncode == 0, out.stdout + out.stderr
            assert "is ready in 1 proxy" in out.stdout, out.stdout
            # Read at once: wait returned only after Envoy took clusters, listeners and routes.
            dump = json.dumps(sidecar.config_dump())
            assert "outbound|9080|v2|reviews.default.svc.cluster.local" in dump
            assert '"exact": "jason"' in dump or '"exact":"jason"' in dump, "route for the VirtualService missing"
            assert sidecar.rejections() == {}, sidecar.logs()
    finally:
        server.stop()
