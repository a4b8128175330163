"""What an ADS client can make the server hold stays bounded, and what streams used goes back
to the OS once they are gone (issue #20, items 3 and 12). RSS is read from /proc/PID/status."""

import asyncio
import os
import time

import grpc
import pytest
from envoy.service.discovery.v3 import ads_pb2_grpc, discovery_pb2

from ads_client import CDS, EDS, LDS, ADSStream, make_node
from fairway_server import FairwayServer
from mesh_fixtures import BASE
from test_ads_streams import resident_bytes

MiB = 2**20


def mib(n: int) -> str:
    return f"{n / MiB:.1f} MiB"


def wait_settled(pid: int, seconds: float) -> int:
    """RSS after `seconds` of quiet (the heap trim runs after --heap-trim-quiet-ms)."""
    time.sleep(seconds)
    return resident_bytes(pid)


async def churn(address: str, streams: int, concurrency: int, channels: int = 4) -> int:
    """Opens `streams` SotW streams, `concurrency` at a time over `channels` connections; each
    gets its CDS and EDS and goes away. Returns how many got their clusters."""
    chans = [grpc.aio.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)])
             for _ in range(channels)]
    served = 0
    gate = asyncio.Semaphore(concurrency)
    held: list = []

    async def one(i: int):
        nonlocal served
        async with gate:
            stub = ads_pb2_grpc.AggregatedDiscoveryServiceStub(chans[i % channels])
            node = make_node(f"sidecar~10.4.{i // 250}.{i % 250}~churn-{i}.default~default.svc.cluster.local")
            names = [f"outbound|9080|v{k}|reviews.default.svc.cluster.local" for k in range(40)]
            requests = [discovery_pb2.DiscoveryRequest(type_url=CDS, node=node),
                        discovery_pb2.DiscoveryRequest(type_url=EDS, resource_names=names),
                        discovery_pb2.DiscoveryRequest(type_url=LDS)]
            queue: asyncio.Queue = asyncio.Queue()
            for r in requests:
                queue.put_nowait(r)

            async def gen():
                while True:
                    item = await queue.get()
                    if item is None:
                        return
                    yield item

            call = stub.StreamAggregatedResources(gen())
            seen = set()
            # Ended by a half-close, as a proxy that goes away cleanly does (cancelling would
            # send RST_STREAM, which HTTP/2's rapid-reset guard counts against the connection).
            async for response in call:
                seen.add(response.type_url)
                if CDS in seen and LDS in seen:
                    served += 1
                    queue.put_nowait(None)

    await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(streams))), timeout=120)
    for c in chans:
        await c.close()
    return served


# `make test-ads-limits` runs the 5,000; the default run does fewer, in a few seconds.
CHURN_STREAMS = int(os.environ.get("FAIRWAY_CHURN_STREAMS", "1500"))


def test_rss_returns_after_streams_come_and_go():
    server = FairwayServer("--heap-trim-quiet-ms", "300", "--new-streams-per-second", "100000")
    try:
        server.apply(BASE)
        # Warm up once (lazy tables, thread arenas), then take the baseline.
        asyncio.run(churn(server.ads_address, 200, 200))
        baseline = wait_settled(server.process.pid, 2.0)
        peak = baseline
        rounds = max(1, CHURN_STREAMS // 750)
        for _ in range(rounds):
            assert asyncio.run(churn(server.ads_address, 750, 750)) == 750
            peak = max(peak, resident_bytes(server.process.pid))
        after = wait_settled(server.process.pid, 3.0)
        print(f"\n{rounds * 750} streams came and went: RSS baseline {mib(baseline)}, "
              f"peak {mib(peak)}, after quiet {mib(after)}")
        assert peak > baseline, "the churn did not grow the heap: the test shows nothing"
        # Most of what the streams took is given back.
        assert after - baseline < (peak - baseline) * 0.4 or after - baseline < 24 * MiB, \
            f"RSS {mib(baseline)} -> peak {mib(peak)} -> {mib(after)}"
        assert server.process.poll() is None
    finally:
        server.stop()


def names_request(type_url: str, names: list) -> bytes:
    return discovery_pb2.DiscoveryRequest(type_url=type_url, resource_names=names).SerializeToString()


# `make test-ads-limits` sends the 40 (about two minutes on a debug build).
BIG_REQUESTS = int(os.environ.get("FAIRWAY_BIG_REQUESTS", "8"))


def test_distinct_4mb_requests_leave_rss_bounded():
    """Issue #20 item 3: 40 distinct name lists just under --max-request-bytes (4 MiB), half of
    them refused for naming too many resources, half accepted, each on its own stream. Before,
    the shared name-list cache kept all of them: RSS 49 -> 1,013 MiB."""
    server = FairwayServer("--heap-trim-quiet-ms", "300")
    try:
        server.apply(BASE)
        before = wait_settled(server.process.pid, 1.0)
        refused = accepted = 0
        for i in range(BIG_REQUESTS):
            stream = ADSStream(server.ads_address, make_node(
                f"sidecar~10.5.0.{i}~big-{i}.default~default.svc.cluster.local"))
            if i % 2:
                # 3.9 MB of 48-byte names: 78,000 names, within --max-resource-names.
                names = [f"outbound|80||s{i:03d}-{k:06d}.default.svc.cluster.loc" for k in range(78_000)]
            else:
                # 3.9 MB of 20-byte names: 180,000 names, over --max-resource-names.
                names = [f"r{i:03d}-{k:07d}.default" for k in range(180_000)]
            stream.request(EDS, names=names)
            item = stream._responses.get(timeout=30)
            if isinstance(item, grpc.RpcError):
                assert item.code() == grpc.StatusCode.INVALID_ARGUMENT, item
                refused += 1
            else:
                accepted += 1
            stream.close()
        after = wait_settled(server.process.pid, 2.0)
        grown = after - before
        print(f"\n{BIG_REQUESTS} distinct ~3.9 MB requests ({accepted} accepted, {refused} refused): "
              f"RSS {mib(before)} -> {mib(after)}")
        assert (accepted, refused) == (BIG_REQUESTS // 2, BIG_REQUESTS - BIG_REQUESTS // 2)
        # The caches are capped at 64 MiB each by estimate; kept, the lists were 1 GiB.
        assert grown < 160 * MiB, f"RSS grew {mib(grown)}"
        assert server.process.poll() is None
    finally:
        server.stop()
