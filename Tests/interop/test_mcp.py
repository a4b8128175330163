"""MCP over xDS between real processes: one Fairway as the source, another as the sink
(`--config-source xds://...`), and a Python source that sends an invalid resource."""

from __future__ import annotations

import json
import shutil
import tempfile
import time

import pytest

from ads_client import CDS, ADSStream, make_node
from fairway_server import FairwayServer
from mcp_source import SE, MCPSource, service_entry_resource
from mesh_fixtures import BASE, REVIEWS_CLUSTER, REVIEWS_V1, SIDECAR

OWNER = "fairway.io/config-source"

ROUTE = """apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews.default.svc.cluster.local]
  http:
  - timeout: 1500ms
    route:
    - destination: {host: reviews.default.svc.cluster.local, subset: v1}
"""


def configz(server: FairwayServer) -> dict:
    """(kind, namespace/name) -> object, from /debug/configz."""
    return {
        (c["kind"], f'{c["metadata"]["namespace"]}/{c["metadata"]["name"]}'): c
        for c in server.get_json("/debug/configz")
    }


def wait_for(predicate, timeout: float = 15.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def cluster_names(stream: ADSStream) -> set:
    response = stream.receive(timeout=10)
    assert response.type_url == CDS
    stream.ack(response)
    return set(ADSStream.names_of(response))


@pytest.fixture
def source_dir():
    path = tempfile.mkdtemp(prefix="fairway-mcp-source-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_fairway_to_fairway_configs_deletes_and_ownership(source_dir):
    source = FairwayServer("--data-dir", source_dir, "--debounce-quiet-ms", "20")
    sink = None
    proxy = None
    try:
        source.apply(BASE + "---\n" + ROUTE)
        sink = FairwayServer("--config-source", f"xds://{source.ads_address}", "--debounce-quiet-ms", "20")
        keys = {("ServiceEntry", "default/reviews"), ("WorkloadEntry", "default/reviews-1"),
                ("WorkloadEntry", "default/reviews-2"), ("DestinationRule", "default/reviews"),
                ("VirtualService", "default/reviews")}
        objects = wait_for(lambda: (lambda c: c if keys <= c.keys() else None)(configz(sink)),
                           what="the source's configs in the sink's configz")
        for key in keys:
            assert objects[key]["metadata"]["annotations"][OWNER] == f"xds://{source.ads_address}"
        # The spec came through the proto mapping: the duration is the same value.
        route = objects[("VirtualService", "default/reviews")]["spec"]["http"][0]
        assert route["timeout"] in ("1.500s", "1.5s")

        # A proxy of the sink gets the clusters those configs make.
        sink.wait_pushed()
        proxy = ADSStream(sink.ads_address, make_node(SIDECAR))
        proxy.request(CDS)
        assert {REVIEWS_CLUSTER, REVIEWS_V1} <= cluster_names(proxy)

        # Owned objects are read-only through the sink's admin API.
        status, body = sink.request(
            "DELETE", "/apis/networking.istio.io/v1/namespaces/default/destinationrules/reviews")
        assert status == 403, body
        assert OWNER in json.loads(body)["details"][0]["field"]
        status, body = sink.request("POST", "/apply", ROUTE.replace("1500ms", "9s").encode())
        assert status == 403, body

        # Delete on the source -> gone on the sink, and from its proxies' clusters.
        source.delete("destinationrules", "reviews")
        wait_for(lambda: ("DestinationRule", "default/reviews") not in configz(sink),
                 what="the DestinationRule gone from the sink")
        names = wait_for(lambda: (lambda n: n if REVIEWS_V1 not in n else None)(cluster_names(proxy)),
                         what="the subset cluster gone from the sink's CDS")
        assert REVIEWS_CLUSTER in names

        # Propagation: from the source's 2xx to the object in the sink's configz.
        delays = []
        for i in range(5):
            entry = f"""apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: timed-{i}, namespace: default}}
spec: {{hosts: [timed-{i}.example.com], ports: [{{number: 80, name: http, protocol: HTTP}}], resolution: DNS}}
"""
            started = time.monotonic()
            source.apply(entry, wait=False)
            wait_for(lambda: ("ServiceEntry", f"default/timed-{i}") in configz(sink), what="a timed entry")
            delays.append(time.monotonic() - started)
        delays.sort()
        print(f"source apply -> sink configz: median {delays[2] * 1000:.0f} ms, max {delays[-1] * 1000:.0f} ms")
    finally:
        if proxy:
            proxy.close()
        if sink:
            sink.stop()
        source.stop()


def test_sink_nacks_an_invalid_resource_and_keeps_the_previous_set():
    upstream = MCPSource()
    sink = None
    try:
        good = service_entry_resource("default", "ratings", "ratings.default.svc.cluster.local", 9080, "10.2.0.1")
        upstream.publish(SE, "v1", [good])
        sink = FairwayServer("--config-source", upstream.address, "--debounce-quiet-ms", "20")
        wait_for(lambda: ("ServiceEntry", "default/ratings") in configz(sink), what="the first set applied")
        ack = upstream.next_request(SE)
        while not ack.response_nonce:
            ack = upstream.next_request(SE)
        assert ack.version_info == "v1" and not ack.HasField("error_detail")
        before = configz(sink)[("ServiceEntry", "default/ratings")]

        # Port 0 is invalid: the whole set is refused with the field named, nothing changes.
        bad = service_entry_resource("default", "broken", "broken.default.svc.cluster.local", 0, "10.2.0.2")
        other = service_entry_resource("default", "details", "details.default.svc.cluster.local", 9080, "10.2.0.3")
        upstream.publish(SE, "v2", [good, other, bad])
        nack = upstream.next_request(SE, nacks_only=True)
        assert nack.version_info == "v1"
        assert "ServiceEntry default/broken" in nack.error_detail.message
        assert "spec.ports[0].number" in nack.error_detail.message, nack.error_detail.message
        time.sleep(0.5)
        after = configz(sink)
        assert ("ServiceEntry", "default/details") not in after
        assert ("ServiceEntry", "default/broken") not in after
        assert after[("ServiceEntry", "default/ratings")] == before

        # The next valid set is taken.
        upstream.publish(SE, "v3", [other])
        wait_for(lambda: (lambda c: ("ServiceEntry", "default/details") in c
                          and ("ServiceEntry", "default/ratings") not in c)(configz(sink)),
                 what="the corrected set applied")
    finally:
        if sink:
            sink.stop()
        upstream.stop()


def test_upstream_restart_changes_nothing_already_served(source_dir):
    source = FairwayServer("--data-dir", source_dir, "--debounce-quiet-ms", "20", "--log-level", "info")
    sink = None
    proxy = None
    try:
        source.apply(BASE + "---\n" + ROUTE)
        sink = FairwayServer("--config-source", f"xds://{source.ads_address}", "--debounce-quiet-ms", "20")
        wait_for(lambda: len(configz(sink)) == 5, what="the source's configs in the sink")
        sink.wait_pushed()
        proxy = ADSStream(sink.ads_address, make_node(SIDECAR))
        proxy.request(CDS)
        clusters = cluster_names(proxy)
        assert REVIEWS_V1 in clusters
        before = configz(sink)

        ads_port, admin_port = source.ads_port, source.admin_port
        source.process.kill()  # SIGKILL: no goodbye on the stream
        source.process.wait()
        time.sleep(1.0)
        assert configz(sink) == before, "the sink changed while its source was down"
        source.log.close()
        source = FairwayServer("--data-dir", source_dir, "--debounce-quiet-ms", "20", "--log-level", "info",
                               ads_port=ads_port, admin_port=admin_port)
        # The sink reconnects and gets the same sets; its store and its proxies see nothing.
        wait_for(lambda: source.logs().count("MCP sink connected") >= 1, timeout=20,
                 what="the sink reconnected to the restarted source")
        time.sleep(1.0)
        assert configz(sink) == before
        proxy.expect_nothing(within=1.0)
    finally:
        if proxy:
            proxy.close()
        if sink:
            sink.stop()
        source.stop()
