"""The push window: responses count until the proxy answers them (ACK or NACK) or their lease
ends; a proxy with nothing in flight waits while the window is full."""

import urllib.request

from ads_client import CDS, ADSStream, make_node
from fairway_server import FairwayServer
from mesh_fixtures import BASE
import prom_text


def counters(server) -> tuple:
    with urllib.request.urlopen(server.admin_url + "/metrics", timeout=10) as r:
        families = prom_text.parse(r.read().decode())
    return (families["fairway_push_throttle_waits_total"].value(),
            families["fairway_push_throttle_expired_leases_total"].value(),
            families["fairway_push_throttle_queued"].value())


def sidecar(server, name: str) -> ADSStream:
    stream = ADSStream(server.ads_address, make_node(f"sidecar~10.9.0.1~{name}.default~default.svc.cluster.local"))
    stream.request(CDS)
    return stream


def test_a_full_window_holds_new_pushes_until_an_answer_or_the_lease():
    # One byte: any response in flight fills the window.
    server = FairwayServer("--push-window-bytes", "1", "--push-lease-ms", "3000")
    streams = []
    try:
        server.apply(BASE)
        silent = sidecar(server, "silent")
        streams.append(silent)
        assert ADSStream.names_of(silent.receive())  # and never answered

        waiting = sidecar(server, "waiting")
        streams.append(waiting)
        waiting.expect_nothing(within=0.7)
        assert counters(server)[2] == 1
        # The silent proxy's lease ends (3 s): the waiting one gets its clusters.
        response = waiting.receive(timeout=10)
        waits, expired, queued = counters(server)
        assert (waits, expired, queued) == (1, 1, 0)
        waiting.ack(response)

        # An ACK frees the window at once, and so does a NACK; no lease runs out.
        acking = sidecar(server, "acking")
        streams.append(acking)
        first = acking.receive(timeout=10)
        nacking = sidecar(server, "nacking")
        streams.append(nacking)
        nacking.expect_nothing(within=0.3)
        acking.ack(first)
        rejected = nacking.receive(timeout=10)
        last = sidecar(server, "last")
        streams.append(last)
        last.expect_nothing(within=0.3)
        nacking.request(CDS, nonce=rejected.nonce, version="", error="rejected for the test")
        last.ack(last.receive(timeout=10))
        # No second lease ran out: the ACK and the NACK made the room. (The first proxy may
        # also have waited, if it asked before the server had read the previous ACK.)
        waits, expired, queued = counters(server)
        assert expired == 1 and queued == 0 and waits >= 3, (waits, expired, queued)
    finally:
        for stream in streams:
            stream.close()
        server.stop()


def test_no_window_never_holds_a_push():
    server = FairwayServer("--push-window-bytes", "0")
    streams = []
    try:
        server.apply(BASE)
        for i in range(5):
            streams.append(sidecar(server, f"s{i}"))
        for stream in streams:
            stream.receive(timeout=10)  # none answered, none held back
        assert counters(server) == (0, 0, 0)
    finally:
        for stream in streams:
            stream.close()
        server.stop()
