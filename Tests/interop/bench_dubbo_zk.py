"""Issue 22's registry benchmark (`make bench-zk`): INTERFACES x PROVIDERS Dubbo providers
registered in a real ZooKeeper as fast as kazoo can create them, against `fairway serve
--dubbo-zookeeper` (FAIRWAY_BIN, a release build); a raw ADS client (a sidecar in namespace
dubbo: CDS wildcard, EDS for every cluster, ACKing everything) records when each provider's
address first appears in EDS. Prints p50/p99/max of registration -> EDS per provider and the
total from the first registration to the last endpoint, as one JSON line."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time

from kazoo.client import KazooClient

from ads_client import CDS, EDS, ADSStream, make_node
from fairway_server import FairwayServer
from zookeeper_server import ZooKeeperServer, provider_node


def address(i: int, p: int) -> str:
    return f"10.{100 + p}.{i // 250}.{i % 250 + 1}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interfaces", type=int, default=1000)
    parser.add_argument("--providers", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--singles", type=int, default=50)
    parser.add_argument("--serve-args", default="", help="more `fairway serve` flags, space-separated")
    args = parser.parse_args()
    total = args.interfaces * args.providers
    load_before = os.getloadavg()

    with ZooKeeperServer() as zk:
        server = FairwayServer("--dubbo-zookeeper", zk.hosts, *args.serve_args.split())
        ads = ADSStream(server.ads_address, make_node("sidecar~10.9.9.9~bench.dubbo~dubbo.svc.cluster.local",
                                                      namespace="dubbo"))
        seen: dict[str, float] = {}
        registered: dict[str, float] = {}
        done = threading.Event()
        lock = threading.Lock()

        def watch_ads() -> None:
            clusters: list[str] = []
            ads.request(CDS)
            while not done.is_set():
                try:
                    response = ads.receive(timeout=1, strict=False)
                except Exception:
                    continue
                now = time.monotonic()
                if response.type_url == CDS:
                    names = sorted(n for n in ADSStream.resources(response) if n.startswith("outbound|"))
                    ads.ack(response)
                    if names != clusters:
                        clusters = names
                        ads.request(EDS, names=clusters)
                elif response.type_url == EDS:
                    for assignment in ADSStream.resources(response).values():
                        for locality in assignment.endpoints:
                            for lb in locality.lb_endpoints:
                                socket = lb.endpoint.address.socket_address
                                key = f"{socket.address}:{socket.port_value}"
                                with lock:
                                    seen.setdefault(key, now)
                    ads.ack(response)
                else:
                    ads.ack(response)

        reader = threading.Thread(target=watch_ads, daemon=True)
        reader.start()

        client = KazooClient(hosts=zk.hosts, timeout=10)
        client.start(timeout=15)
        for i in range(args.interfaces):
            client.ensure_path(f"/dubbo/com.example.bench.Service{i}/providers")
        start = time.monotonic()
        pending = []
        for i in range(args.interfaces):
            interface = f"com.example.bench.Service{i}"
            for p in range(args.providers):
                key = f"{address(i, p)}:20880"
                result = client.create_async(provider_node(address(i, p), 20880, interface, version="1.0.0"),
                                             b"", ephemeral=True)

                def stamp(_r, key=key):
                    with lock:
                        registered[key] = time.monotonic()
                result.rawlink(stamp)
                pending.append(result)
        for result in pending:
            result.get(timeout=60)
        registered_all = time.monotonic() - start
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            with lock:
                if all(k in seen for k in registered) and len(registered) == total:
                    break
            time.sleep(0.05)
        with lock:
            missing = [k for k in registered if k not in seen]
            latencies = sorted(max(seen[k] - registered[k], 0) for k in registered if k in seen)
            last = max(seen[k] for k in registered if k in seen) if latencies else start
        # Steady state: on top of the 5,000, single providers registered one at a time (each
        # waited for), on interfaces spread over the registry.
        single: list[float] = []
        for n in range(args.singles):
            i = (n * 37) % args.interfaces
            key = f"10.99.{n // 250}.{n % 250 + 1}:20880"
            client.create(provider_node(key.split(":")[0], 20880, f"com.example.bench.Service{i}",
                                        version="1.0.0"), b"", ephemeral=True)
            created = time.monotonic()
            while time.monotonic() < created + 30:
                with lock:
                    if key in seen:
                        single.append(seen[key] - created)
                        break
                time.sleep(0.002)
        single.sort()
        done.set()

        def pct(q: float, values: list[float] | None = None) -> float:
            values = latencies if values is None else values
            return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else -1
        report = {
            "serve_args": args.serve_args, "interfaces": args.interfaces, "providers": total, "missing": len(missing),
            "registration_s": round(registered_all, 2),
            "p50_ms": round(pct(0.5), 1), "p99_ms": round(pct(0.99), 1),
            "max_ms": round(latencies[-1] * 1000, 1) if latencies else -1,
            "mean_ms": round(statistics.mean(latencies) * 1000, 1) if latencies else -1,
            "total_s": round(last - start, 2),
            "single_n": len(single), "single_p50_ms": round(pct(0.5, single), 1),
            "single_max_ms": round(single[-1] * 1000, 1) if single else -1,
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in os.getloadavg()],
        }
        print(json.dumps(report), flush=True)
        client.stop()
        client.close()
        ads.close()
        server.stop()


if __name__ == "__main__":
    main()
