"""Each limit refuses with a clear gRPC status and leaves other streams alone."""

import grpc
from envoy.service.discovery.v3 import ads_pb2_grpc, discovery_pb2
import pytest

from ads_client import CDS, EDS, ADSStream, make_node
from fairway_server import FairwayServer


def node(i: int):
    return make_node(f"sidecar~10.0.1.{i}~p{i}.default~default.svc.cluster.local")


def status_of(stream: ADSStream) -> grpc.StatusCode:
    item = stream._responses.get(timeout=5)
    assert isinstance(item, grpc.RpcError), item
    return item.code(), item.details()


def test_concurrent_stream_limit():
    server = FairwayServer("--max-ads-streams", "3")
    streams = []
    try:
        for i in range(3):
            s = ADSStream(server.ads_address, node(i))
            s.request(CDS)
            s.receive()
            streams.append(s)
        extra = ADSStream(server.ads_address, node(9))
        extra.request(CDS)
        code, details = status_of(extra)
        assert code == grpc.StatusCode.RESOURCE_EXHAUSTED and "too many xDS streams" in details
        extra.close()
        streams[0].request(CDS, nonce="stale-but-alive")
        streams[0].expect_nothing(0.3)
    finally:
        for s in streams:
            s.close()
        server.stop()


@pytest.mark.parametrize("delta", [False, True])
def test_too_many_resource_names_fails_that_stream_only(delta):
    server = FairwayServer("--max-resource-names", "5")
    try:
        ok = ADSStream(server.ads_address, node(1))
        ok.request(CDS)
        ok.receive()
        bad = ADSStream(server.ads_address, node(2), delta=delta)
        names = [f"outbound|80||s{i}.default.svc.cluster.local" for i in range(6)]
        if delta:
            bad.delta_request(EDS, subscribe=names)
        else:
            bad.request(EDS, names=names)
        code, details = status_of(bad)
        assert code == grpc.StatusCode.INVALID_ARGUMENT and "the limit is 5" in details
        ok.request(EDS, names=names[:5])
        ok.receive()
        ok.close()
        bad.close()
    finally:
        server.stop()


def test_oversized_request_is_refused():
    server = FairwayServer("--max-request-bytes", "2048")
    try:
        s = ADSStream(server.ads_address, node(1))
        s.request(EDS, names=["x" * 4096])
        code, details = status_of(s)
        assert code == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "exceeds the limit of 2048 bytes" in details
        s.close()
    finally:
        server.stop()


def test_concurrent_connection_limit():
    server = FairwayServer("--max-ads-connections", "2")
    channels = []
    try:
        def call(channel):
            stub = ads_pb2_grpc.AggregatedDiscoveryServiceStub(channel)
            request = discovery_pb2.DiscoveryRequest(type_url=CDS, node=node(7))
            return stub.StreamAggregatedResources(iter([request]), timeout=3)

        # Separate subchannel pools force separate TCP connections.
        opts = [("grpc.use_local_subchannel_pool", 1)]
        held = []
        for _ in range(2):
            channel = grpc.insecure_channel(server.ads_address, options=opts)
            channels.append(channel)
            responses = call(channel)
            next(responses)
            held.append(responses)
        third = grpc.insecure_channel(server.ads_address, options=opts)
        channels.append(third)
        with pytest.raises(grpc.RpcError) as refused:
            next(call(third))
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        for responses in held:
            responses.cancel()
    finally:
        for channel in channels:
            channel.close()
        server.stop()
