"""End to end: a real proxyless grpcio client routed by Fairway over ADS to real backends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent import futures

import grpc
import pytest

from fairway_server import FairwayServer, free_port

HOST = "echo.mesh.local"
PORT = 7070
TARGET = f"xds:///{HOST}:{PORT}"


def start_backend(name: str):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    handler = grpc.method_handlers_generic_handler(
        "fairway.test.Echo", {"Who": grpc.unary_unary_rpc_method_handler(lambda request, context: name.encode())})
    server.add_generic_rpc_handlers((handler,))
    port = free_port()
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    return server, port


def mesh_yaml(ports: dict) -> str:
    entries = "\n".join(
        f"""---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {{name: echo-{name}, namespace: default}}
spec:
  address: 127.0.0.1
  ports: {{grpc: {port}}}
  labels: {{app: echo, version: {version}}}
  locality: us-east/zone-a
"""
        for name, (port, version) in ports.items())
    return f"""apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: echo, namespace: default}}
spec:
  hosts: [{HOST}]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{{number: {PORT}, name: grpc, protocol: GRPC}}]
  workloadSelector: {{labels: {{app: echo}}}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: echo, namespace: default}}
spec:
  host: {HOST}
  subsets:
  - {{name: v1, labels: {{version: v1}}}}
  - {{name: v2, labels: {{version: v2}}}}
{entries}"""


def virtual_service(v1: int, v2: int) -> str:
    return f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: echo, namespace: default}}
spec:
  hosts: [{HOST}]
  http:
  - name: canary
    match:
    - headers: {{x-canary: {{exact: "yes"}}}}
    route:
    - destination: {{host: {HOST}, subset: v2}}
  - name: split
    route:
    - destination: {{host: {HOST}, subset: v1}}
      weight: {v1}
    - destination: {{host: {HOST}, subset: v2}}
      weight: {v2}
"""


class Client:
    def __init__(self, fairway: FairwayServer):
        bootstrap = {
            "xds_servers": [{"server_uri": fairway.ads_address, "channel_creds": [{"type": "insecure"}],
                             "server_features": ["xds_v3"]}],
            "node": {"id": "sidecar~127.0.0.1~client-1.default~default.svc.cluster.local",
                     "metadata": {"GENERATOR": "grpc", "NAMESPACE": "default"}},
        }
        env = dict(os.environ, GRPC_XDS_BOOTSTRAP_CONFIG=json.dumps(bootstrap))
        script = os.path.join(os.path.dirname(__file__), "grpc_xds_client.py")
        self.process = subprocess.Popen([sys.executable, script, TARGET], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, env=env)

    def calls(self, n: int, metadata: dict | None = None, wait: bool = False) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps({"calls": n, "metadata": metadata or {}, "wait": wait}) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self):
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=10)


@pytest.fixture
def backends():
    servers = {}
    ports = {}
    for name, version in (("a", "v1"), ("b", "v2"), ("c", "v2")):
        server, port = start_backend(name)
        servers[name] = server
        ports[name] = (port, version)
    yield ports
    for server in servers.values():
        server.stop(0)


@pytest.fixture
def fairway():
    server = FairwayServer()
    yield server
    server.stop()


def test_weighted_split_header_match_convergence_and_delete(fairway, backends):
    fairway.apply(mesh_yaml(backends))
    fairway.apply(virtual_service(80, 20))
    client = Client(fairway)
    try:
        # Warm up: the first call waits for LDS/RDS/CDS/EDS.
        first = client.calls(1, wait=True)
        assert first["errors"] == 0, first

        result = client.calls(500)
        print("80/20 split:", result)
        assert result["errors"] == 0, result
        v1 = result["counts"].get("a", 0)
        v2 = result["counts"].get("b", 0) + result["counts"].get("c", 0)
        assert v1 + v2 == 500
        assert 0.72 <= v1 / 500 <= 0.88, result

        marked = client.calls(50, metadata={"x-canary": "yes"})
        assert marked["errors"] == 0 and marked["counts"].get("a", 0) == 0, marked

        # Timed from the apply request itself: debounce, translation and push all count.
        started = time.monotonic()
        fairway.apply(virtual_service(0, 100), wait=False)
        converged = None
        while time.monotonic() - started < 5:
            batch = client.calls(20)
            if batch["errors"] == 0 and batch["counts"].get("a", 0) == 0:
                converged = time.monotonic() - started
                break
        print(f"0/100 converged in {converged}s")
        assert converged is not None and converged <= 2.0, converged
        after = client.calls(200)
        assert after["errors"] == 0 and after["counts"].get("a", 0) == 0, after

        started = time.monotonic()
        fairway.delete("virtualservices", "echo", wait=False)
        seen: set = set()
        while time.monotonic() - started < 5 and seen != {"a", "b", "c"}:
            batch = client.calls(30)
            seen |= set(batch["counts"])
        print(f"after delete, backends seen: {sorted(seen)} in {time.monotonic() - started:.2f}s")
        assert seen == {"a", "b", "c"}

        syncz = fairway.get_json("/debug/syncz")
        mine = [s for s in syncz if s["proxy"].startswith("sidecar~127.0.0.1~client-1")]
        assert mine, syncz
        assert all(not t["lastError"] for s in mine for t in s["xds"].values()), mine
    finally:
        client.close()
