"""Requests for a type URL Fairway does not serve, against the real binary: an empty answer
(SotW: no resources; Delta: the subscribed names as removed), the ACK of it accepted, counted
as unknown-type requests and never as expired nonces, and the stream keeps serving."""

import pytest

from ads_client import CDS, ADSStream, make_node
from fairway_server import FairwayServer
from mesh_fixtures import BASE, REVIEWS_CLUSTER, SIDECAR
import prom_text

SECRET = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret"
UNKNOWN = "fairway_xds_unknown_type_requests_total"
EXPIRED = "pilot_xds_expired_nonce"


@pytest.fixture
def fairway():
    server = FairwayServer("--debounce-quiet-ms", "20")
    server.apply(BASE)
    yield server
    server.stop()


def test_sotw_unknown_type_is_answered_empty_and_acked(fairway):
    before = prom_text.scrape(fairway.admin_url)
    assert before[UNKNOWN].type == "counter"
    s = ADSStream(fairway.ads_address, make_node(SIDECAR))
    try:
        s.request(SECRET, names=["default"])
        r = s.receive()
        assert r.type_url == SECRET
        assert len(r.resources) == 0 and r.nonce and r.control_plane.identifier
        s.ack(r)
        s.expect_nothing(0.3)
        # The stream still serves what it does know, with its own nonces.
        s.request(CDS)
        cds = s.receive()
        assert cds.type_url == CDS and REVIEWS_CLUSTER in s.names_of(cds)
        s.ack(cds)
        # A stale nonce for the unknown type: no answer, not an expired nonce either.
        s.request(SECRET, names=["default"], nonce="999")
        s.expect_nothing(0.3)
        after = prom_text.scrape(fairway.admin_url)
        assert after[UNKNOWN].value() == before[UNKNOWN].value() + 3
        assert after[EXPIRED].value() == before[EXPIRED].value()
    finally:
        s.close()


def test_delta_unknown_type_lists_subscribed_names_as_removed(fairway):
    before = prom_text.scrape(fairway.admin_url)
    s = ADSStream(fairway.ads_address, make_node(SIDECAR), delta=True)
    try:
        s.delta_request(SECRET, subscribe=["default", "ROOTCA"])
        r = s.receive()
        assert r.type_url == SECRET and len(r.resources) == 0
        assert sorted(r.removed_resources) == ["ROOTCA", "default"]
        s.ack(r)
        s.expect_nothing(0.3)
        s.delta_request(CDS)
        assert REVIEWS_CLUSTER in s.names_of(s.receive())
        assert prom_text.scrape(fairway.admin_url)[UNKNOWN].value() == before[UNKNOWN].value() + 2
    finally:
        s.close()


def test_flood_of_unknown_types_is_answered_and_the_stream_lives(fairway):
    s = ADSStream(fairway.ads_address, make_node(SIDECAR))
    try:
        count = 300
        for i in range(count):
            s.request(f"type.googleapis.com/flood.T{i}", names=["x"])
        seen = {s.receive().type_url for _ in range(count)}
        assert len(seen) == count
        s.request(CDS)
        assert REVIEWS_CLUSTER in s.names_of(s.receive())
    finally:
        s.close()
