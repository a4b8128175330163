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


def test_rss_returns_after_5000_streams_come_and_go():
    server = FairwayServer("--heap-trim-quiet-ms", "300", "--new-streams-per-second", "100000")
    try:
        server.apply(BASE)
        # Warm up once (lazy tables, thread arenas), then take the baseline.
        asyncio.run(churn(server.ads_address, 200, 200))
        baseline = wait_settled(server.process.pid, 2.0)
        peak = baseline
        for _ in range(5):
            assert asyncio.run(churn(server.ads_address, 1_000, 1_000)) == 1_000
            peak = max(peak, resident_bytes(server.process.pid))
        after = wait_settled(server.process.pid, 3.0)
        print(f"\n5,000 streams came and went: RSS baseline {mib(baseline)}, "
              f"peak {mib(peak)}, after quiet {mib(after)}")
        assert peak > baseline, "the churn did not grow the heap: the test shows nothing"
        # Most of what the streams took is given back.
        assert after - baseline < (peak - baseline) * 0.4 or after - baseline < 24 * MiB, \
            f"RSS {mib(baseline)} -> peak {mib(peak)} -> {mib(after)}"
        assert server.process.poll() is None
    finally:
        server.stop()
