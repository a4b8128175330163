"""State-of-the-world ADS, rule by rule (XDS-NOTES §1), with a raw client on Envoy's protos."""

import time

import pytest

from ads_client import CDS, EDS, LDS, RDS, ADSStream, make_node
from fairway_server import FairwayServer
from mesh_fixtures import BASE, REVIEWS_CLUSTER, REVIEWS_V1, SIDECAR, ratings, reviews_rule, workload


@pytest.fixture
def fairway():
    server = FairwayServer("--debounce-quiet-ms", "20")
    server.apply(BASE)
    yield server
    server.stop()


@pytest.fixture
def stream(fairway):
    s = ADSStream(fairway.ads_address, make_node(SIDECAR))
    yield s
    s.close()


def subscribe_clusters(stream):
    stream.request(CDS)
    response = stream.receive()
    assert response.type_url == CDS
    stream.ack(response)
    return response


def test_wildcard_cds_then_ack_gets_no_resend(stream):
    response = subscribe_clusters(stream)
    names = stream.names_of(response)
    assert REVIEWS_CLUSTER in names and REVIEWS_V1 in names
    assert response.control_plane.identifier
    stream.expect_nothing(0.5)


def test_eds_by_name_unknown_name_is_sent_when_created(fairway, stream):
    later = "outbound|9080||ratings.default.svc.cluster.local"
    stream.request(EDS, names=[REVIEWS_CLUSTER, later])
    first = stream.receive()
    assert stream.names_of(first) == [REVIEWS_CLUSTER]
    cla = stream.resources(first)[REVIEWS_CLUSTER]
    addresses = sorted(e.endpoint.address.socket_address.address for loc in cla.endpoints for e in loc.lb_endpoints)
    assert addresses == ["10.1.0.1", "10.1.0.2"]
    stream.ack(first)
    stream.expect_nothing(0.3)
    fairway.apply(ratings())
    pushed = stream.receive()
    assert pushed.type_url == EDS
    assert later in stream.names_of(pushed)
    assert pushed.nonce != first.nonce


def test_nack_is_recorded_and_not_resent(fairway, stream):
    response = subscribe_clusters(stream)
    fairway.apply(reviews_rule("RANDOM"))
    pushed = stream.receive()
    assert pushed.type_url == CDS
    stream.request(CDS, nonce=pushed.nonce, version=response.version_info, error="cluster rejected: test")
    # A change that does not alter this proxy's clusters must not resend the NACKed version.
    fairway.apply(ratings())
    for _ in range(3):
        try:
            r = stream.receive(timeout=1)
        except Exception:
            break
        assert r.type_url != CDS or r.version_info != pushed.version_info or stream.names_of(r) != stream.names_of(pushed)
        if r.type_url == CDS:
            stream.ack(r)
    syncz = fairway.get_json("/debug/syncz")
    entry = next(s for s in syncz if s["proxy"] == SIDECAR)
    assert entry["xds"][CDS]["nacks"] == 1
    assert "cluster rejected: test" in fairway.get_json("/debug/syncz").__repr__()


def test_nack_without_change_gets_no_response(fairway, stream):
    stream.request(CDS)
    response = stream.receive()
    stream.request(CDS, nonce=response.nonce, error="bad cluster")
    stream.expect_nothing(0.8)
    entry = next(s for s in fairway.get_json("/debug/syncz") if s["proxy"] == SIDECAR)
    assert entry["xds"][CDS]["lastError"] == "bad cluster"
    assert entry["xds"][CDS]["state"] == "ERROR"


def test_stale_nonce_is_ignored(fairway, stream):
    first = subscribe_clusters(stream)
    fairway.apply(reviews_rule("ROUND_ROBIN"))
    second = stream.receive()
    assert second.type_url == CDS
    stream.request(CDS, nonce=first.nonce, version=first.version_info)
    stream.expect_nothing(0.5)
    entry = next(s for s in fairway.get_json("/debug/syncz") if s["proxy"] == SIDECAR)
    assert entry["xds"][CDS]["staleNonces"] >= 1


def test_push_order_and_eds_after_cds_for_warming(fairway, stream):
    cds = subscribe_clusters(stream)
    stream.request(EDS, names=[REVIEWS_CLUSTER, REVIEWS_V1])
    eds = stream.receive()
    stream.ack(eds)
    stream.request(LDS)
    lds = stream.receive()
    stream.ack(lds)
    stream.request(RDS, names=["9080"])
    rds = stream.receive()
    assert rds.type_url == RDS
    stream.ack(rds)
    stream.expect_nothing(0.3)

    # A DestinationRule changes clusters: CDS comes first, then EDS again (even if endpoints
    # did not change) so the updated clusters can warm.
    fairway.apply(reviews_rule("ROUND_ROBIN"))
    order = []
    for _ in range(2):
        r = stream.receive()
        order.append(r.type_url)
        stream.ack(r)
    assert order == [CDS, EDS]
    assert cds.version_info != ""


def test_endpoint_change_pushes_only_affected_eds(fairway, stream):
    subscribe_clusters(stream)
    stream.request(EDS, names=[REVIEWS_CLUSTER, REVIEWS_V1, "outbound|9080||ratings.default.svc.cluster.local"])
    fairway.apply(ratings())
    stream.receive()
    while True:
        try:
            r = stream.receive(timeout=0.5)
            stream.ack(r)
        except Exception:
            break
    fairway.apply(workload("reviews-3", "10.1.0.3", "v1"))
    pushed = stream.receive()
    assert pushed.type_url == EDS
    assert set(stream.names_of(pushed)) == {REVIEWS_CLUSTER, REVIEWS_V1}
    cla = stream.resources(pushed)[REVIEWS_V1]
    assert sorted(e.endpoint.address.socket_address.address for loc in cla.endpoints for e in loc.lb_endpoints) == [
        "10.1.0.1", "10.1.0.3"]
    stream.ack(pushed)
    stream.expect_nothing(0.4)


def test_removed_clusters_go_last_make_before_break(fairway, stream):
    subscribe_clusters(stream)
    stream.request(EDS, names=[REVIEWS_CLUSTER, REVIEWS_V1])
    stream.ack(stream.receive())
    stream.request(LDS)
    stream.ack(stream.receive())
    stream.request(RDS, names=["9080"])
    stream.ack(stream.receive())
    stream.expect_nothing(0.3)

    v3 = REVIEWS_V1.replace("|v1|", "|v3|")
    # Subset v1 goes away and v3 arrives, with a route to v3, in one apply.
    fairway.apply(f"""apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: reviews, namespace: default}}
spec:
  host: reviews.default.svc.cluster.local
  subsets: [{{name: v2, labels: {{version: v2}}}}, {{name: v3, labels: {{version: v3}}}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: reviews, namespace: default}}
spec:
  hosts: [reviews.default.svc.cluster.local]
  http: [{{route: [{{destination: {{host: reviews.default.svc.cluster.local, subset: v3}}}}]}}]
""", wait=False)
    responses = []
    while True:
        try:
            r = stream.receive(timeout=1.0)
        except Exception:
            break
        responses.append(r)
        stream.ack(r)
    kinds = [r.type_url for r in responses]
    assert kinds[0] == CDS and kinds[-1] == CDS and RDS in kinds, kinds
    first, last = stream.names_of(responses[0]), stream.names_of(responses[-1])
    assert v3 in first and REVIEWS_V1 in first, "first CDS adds v3 and keeps v1 while routes move"
    assert v3 in last and REVIEWS_V1 not in last, "the last CDS removes v1"
    assert kinds.index(RDS) < len(kinds) - 1


def test_nack_is_logged_at_warning_with_proxy_type_nonce_and_message(fairway, stream):
    response = subscribe_clusters(stream)
    fairway.apply(reviews_rule("RANDOM"))
    pushed = stream.receive()
    stream.request(CDS, nonce=pushed.nonce, version=response.version_info, error="cluster x: LEAST_REQUEST unsupported")
    deadline = time.monotonic() + 5
    line = ""
    while time.monotonic() < deadline and not line:
        line = next((l for l in fairway.logs().splitlines() if "NACK" in l), "")
    assert "warning" in line, fairway.logs()
    for part in (SIDECAR, "cds", pushed.nonce, "LEAST_REQUEST unsupported"):
        assert part in line, line


def test_nack_log_is_rate_limited_per_stream(fairway, stream):
    response = subscribe_clusters(stream)
    for attempt in range(12):
        stream.request(CDS, nonce=response.nonce, error=f"rejected {attempt}")
    stream.expect_nothing(0.5)
    lines = [l for l in fairway.logs().splitlines() if "NACK" in l]
    assert 1 <= len(lines) <= 5, lines
