"""Incremental (Delta) ADS, rule by rule (XDS-NOTES §2)."""

import pytest

from ads_client import CDS, EDS, ADSStream, make_node
from fairway_server import FairwayServer
from mesh_fixtures import BASE, REVIEWS_CLUSTER, REVIEWS_V1, SIDECAR, ratings, workload

RATINGS = "outbound|9080||ratings.default.svc.cluster.local"


@pytest.fixture
def fairway():
    server = FairwayServer("--debounce-quiet-ms", "20")
    server.apply(BASE)
    yield server
    server.stop()


def delta_stream(fairway, node_id=SIDECAR):
    return ADSStream(fairway.ads_address, make_node(node_id), delta=True)


def test_wildcard_cds_versions_are_content_hashes_and_ack_is_quiet(fairway):
    s = delta_stream(fairway)
    try:
        s.delta_request(CDS)
        r = s.receive()
        versions = {res.name: res.version for res in r.resources}
        assert REVIEWS_CLUSTER in versions and all(len(v) == 16 for v in versions.values())
        s.ack(r)
        s.expect_nothing(0.5)
    finally:
        s.close()


def test_subscribe_missing_is_removed_then_sent_when_created_and_unsubscribe_stops(fairway):
    s = delta_stream(fairway)
    try:
        s.delta_request(EDS, subscribe=[REVIEWS_V1, RATINGS])
        r = s.receive()
        assert [res.name for res in r.resources] == [REVIEWS_V1]
        assert list(r.removed_resources) == [RATINGS]
        s.ack(r)
        fairway.apply(ratings())
        pushed = s.receive()
        assert [res.name for res in pushed.resources] == [RATINGS]
        s.ack(pushed)
        # Unsubscribe (on an ACK-less request) and change the endpoints: nothing arrives.
        s.delta_request(EDS, unsubscribe=[REVIEWS_V1])
        s.expect_nothing(0.3)
        fairway.apply(workload("reviews-3", "10.1.0.3", "v1"))
        s.expect_nothing(0.6)
    finally:
        s.close()


def test_resubscribe_resends_even_if_client_has_it(fairway):
    s = delta_stream(fairway)
    try:
        s.delta_request(EDS, subscribe=[REVIEWS_V1])
        r = s.receive()
        s.delta_request(EDS, subscribe=[REVIEWS_V1], nonce=r.nonce)
        again = s.receive()
        assert [res.name for res in again.resources] == [REVIEWS_V1]
    finally:
        s.close()


def test_stale_nonce_still_honours_subscriptions(fairway):
    s = delta_stream(fairway)
    try:
        s.delta_request(EDS, subscribe=[REVIEWS_V1])
        s.ack(s.receive())
        s.delta_request(EDS, subscribe=[REVIEWS_CLUSTER], nonce="not-a-nonce")
        r = s.receive()
        assert [res.name for res in r.resources] == [REVIEWS_CLUSTER]
    finally:
        s.close()


def test_reconnect_with_initial_versions_receives_nothing_it_has(fairway):
    first = delta_stream(fairway)
    try:
        first.delta_request(CDS)
        r = first.receive()
        versions = {res.name: res.version for res in r.resources}
    finally:
        first.close()
    second = delta_stream(fairway)
    try:
        stale = dict(versions)
        stale[REVIEWS_V1] = "0000000000000000"
        stale["outbound|1|gone|nothing.default.svc.cluster.local"] = "1234"
        second.delta_request(CDS, initial=stale)
        r = second.receive()
        assert [res.name for res in r.resources] == [REVIEWS_V1]
        assert list(r.removed_resources) == ["outbound|1|gone|nothing.default.svc.cluster.local"]
    finally:
        second.close()


def test_nack_is_recorded_in_syncz(fairway):
    s = delta_stream(fairway)
    try:
        s.delta_request(CDS)
        r = s.receive()
        s.delta_request(CDS, nonce=r.nonce, error="delta says no")
        s.expect_nothing(0.5)
        entry = next(x for x in fairway.get_json("/debug/syncz") if x["proxy"] == SIDECAR)
        assert entry["stream_kind"] == "Delta"
        assert entry["xds"][CDS]["lastError"] == "delta says no"
    finally:
        s.close()
