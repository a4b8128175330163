"""GET /metrics after real ADS traffic: istiod's metric names, values that move as they should."""

import time

import pytest

from ads_client import CDS, ADSStream, make_node
from fairway_server import FairwayServer
from mesh_fixtures import BASE, SIDECAR, ratings, reviews_rule
import prom_text


@pytest.fixture
def fairway():
    server = FairwayServer("--debounce-quiet-ms", "20")
    server.apply(BASE)
    yield server
    server.stop()


def scrape(fairway) -> dict:
    return prom_text.scrape(fairway.admin_url)


def test_parser_rejects_malformed_text():
    for bad in ("x 1\n", "# TYPE x counter\nx{a=\"1} 1\n", "# TYPE x counter\nx one\n",
                "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"):
        with pytest.raises(prom_text.ParseError):
            prom_text.parse(bad)


def test_metric_names_and_types_match_istiod(fairway):
    families = scrape(fairway)
    expected = {
        "pilot_xds_pushes": "counter", "pilot_total_xds_rejects": "counter",
        "pilot_proxy_convergence_time": "histogram", "pilot_debounce_time": "histogram",
        "pilot_xds_send_time": "histogram", "pilot_xds_expired_nonce": "counter",
        "pilot_xds_config_size_bytes": "histogram", "pilot_services": "gauge",
        "pilot_virt_services": "gauge", "process_resident_memory_bytes": "gauge",
        "process_cpu_seconds_total": "counter", "process_open_fds": "gauge",
        "fairway_heap_in_use_bytes": "gauge", "fairway_heap_free_bytes": "gauge",
    }
    for name, kind in expected.items():
        assert name in families, f"{name} missing"
        assert families[name].type == kind, name
    assert {"cds", "eds", "lds", "rds"} <= {s["type"] for s in families["pilot_xds_pushes"].label_sets()}
    assert families["pilot_services"].value() == 1  # reviews
    assert families["process_resident_memory_bytes"].value() > 1_000_000
    assert families["process_open_fds"].value() > 3
    assert families["fairway_heap_in_use_bytes"].value() > 1_000_000
    assert families["process_cpu_seconds_total"].value() > 0


def test_traffic_moves_the_counters(fairway):
    before = scrape(fairway)
    stream = ADSStream(fairway.ads_address, make_node(SIDECAR, labels={"app": "productpage"}))
    try:
        stream.request(CDS)
        first = stream.receive()
        stream.ack(first)
        connected = scrape(fairway)
        xds = connected["pilot_xds"]
        assert sum(xds.samples.values()) == 1
        assert xds.label_sets() == [{"version": "unknown", "type": "sidecar"}]
        assert connected["pilot_xds_pushes"].value(type="cds") == before["pilot_xds_pushes"].value(type="cds") + 1
        sizes = connected["pilot_xds_config_size_bytes"]
        assert sizes.value("_count", type="cds") == 1
        assert sizes.value("_sum", type="cds") > 100

        # A config change: pushes, triggers, debounce and convergence move.
        fairway.apply(reviews_rule("RANDOM"))
        pushed = stream.receive()
        assert pushed.type_url == CDS
        # NACK it: rejects{type="cds"} goes up by exactly one, no other type moves.
        stream.request(CDS, nonce=pushed.nonce, version=first.version_info, error="cluster rejected: test")
        stream.expect_nothing(0.3)
        after = scrape(fairway)
        rejects = after["pilot_total_xds_rejects"]
        assert rejects.value(type="cds") == before["pilot_total_xds_rejects"].value(type="cds") + 1
        for other in ("eds", "lds", "rds"):
            assert rejects.value(type=other) == before["pilot_total_xds_rejects"].value(type=other)
        assert after["pilot_xds_pushes"].value(type="cds") == before["pilot_xds_pushes"].value(type="cds") + 2
        assert after["pilot_push_triggers"].get(type="DestinationRule") >= 1
        convergence = after["pilot_proxy_convergence_time"]
        assert convergence.value("_count") >= 1
        assert convergence.value("_bucket", le="+Inf") == convergence.value("_count")
        assert 0 < convergence.value("_sum") < 10
        assert after["pilot_debounce_time"].value("_count") > before["pilot_debounce_time"].value("_count")
        assert after["pilot_xds_send_time"].value("_count") >= 2

        # A stale nonce is counted as expired.
        stream.request(CDS, nonce=first.nonce)
        stream.expect_nothing(0.3)
        assert scrape(fairway)["pilot_xds_expired_nonce"].value() == after["pilot_xds_expired_nonce"].value() + 1

        fairway.apply(ratings())
        assert scrape(fairway)["pilot_services"].value() == 2
    finally:
        stream.close()
    # The connection gauge drops back to zero once the stream is gone.
    for _ in range(50):
        if sum(scrape(fairway)["pilot_xds"].samples.values()) == 0:
            break
        time.sleep(0.1)
    assert sum(scrape(fairway)["pilot_xds"].samples.values()) == 0
