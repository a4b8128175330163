"""A small MCP-over-xDS source in Python (grpcio + xds-protos' discovery service + Istio's
messages compiled from Protos/istio), to feed a Fairway sink exactly the responses a test
scripts, and to see its ACKs and NACKs."""

from __future__ import annotations

import importlib
import pathlib
import queue
import sys
import tempfile
import threading
from concurrent import futures

import grpc
from envoy.service.discovery.v3 import ads_pb2_grpc, discovery_pb2
from google.protobuf import any_pb2

from fairway_server import free_port

REPO = pathlib.Path(__file__).resolve().parents[2]
SE = "networking.istio.io/v1alpha3/ServiceEntry"
VS = "networking.istio.io/v1alpha3/VirtualService"
DR = "networking.istio.io/v1alpha3/DestinationRule"
WE = "networking.istio.io/v1alpha3/WorkloadEntry"
RESOURCE_URL = "type.googleapis.com/istio.mcp.v1alpha1.Resource"

_modules: dict = {}


def istio_modules():
    """resource_pb2 and the networking modules, compiled once from Protos/istio."""
    if _modules:
        return _modules
    from grpc_tools import protoc

    import grpc_tools

    out = pathlib.Path(tempfile.mkdtemp(prefix="istio-py-"))
    wkt = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    protos = REPO / "Protos"
    files = sorted(str(p.relative_to(protos)) for p in (protos / "istio").rglob("*.proto"))
    rc = protoc.main(["protoc", f"-I{protos}", f"-I{wkt}", f"--python_out={out}", *files])
    assert rc == 0, "protoc failed on Protos/istio"
    for d in out.rglob("*"):
        if d.is_dir():
            (d / "__init__.py").touch()
    (out / "__init__.py").touch()
    sys.path.insert(0, str(out))
    _modules["resource"] = importlib.import_module("istio.mcp.v1alpha1.resource_pb2")
    _modules["service_entry"] = importlib.import_module("istio.networking.v1alpha3.service_entry_pb2")
    return _modules


def service_entry_resource(namespace: str, name: str, host: str, port: int, address: str):
    """An Any of istio.mcp.v1alpha1.Resource holding a STATIC ServiceEntry with one endpoint."""
    m = istio_modules()
    se = m["service_entry"].ServiceEntry(hosts=[host], resolution=1, location=1)
    se.ports.add(number=port, name="http", protocol="HTTP")
    se.endpoints.add(address=address)
    body = any_pb2.Any(type_url="type.googleapis.com/istio.networking.v1alpha3.ServiceEntry",
                       value=se.SerializeToString())
    resource = m["resource"].Resource(body=body)
    resource.metadata.name = f"{namespace}/{name}"
    return any_pb2.Any(type_url=RESOURCE_URL, value=resource.SerializeToString())


class MCPSource(ads_pb2_grpc.AggregatedDiscoveryServiceServicer):
    """Serves scripted full sets per collection on every stream; records every request."""

    def __init__(self):
        self.sets: dict = {}  # type_url -> (version, [Any])
        self.requests: queue.Queue = queue.Queue()
        self._streams: list = []
        self._lock = threading.Lock()
        self._nonce = 0
        self.port = free_port()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        ads_pb2_grpc.add_AggregatedDiscoveryServiceServicer_to_server(self, self.server)
        self.server.add_insecure_port(f"127.0.0.1:{self.port}")
        self.server.start()

    @property
    def address(self) -> str:
        return f"xds://127.0.0.1:{self.port}"

    def publish(self, type_url: str, version: str, resources: list) -> None:
        """Sets the full set of a collection and pushes it to every open stream."""
        with self._lock:
            self.sets[type_url] = (version, resources)
            streams = list(self._streams)
        for outbox, subscribed in streams:
            if type_url in subscribed:
                outbox.put(self._response(type_url))

    def _response(self, type_url: str):
        with self._lock:
            self._nonce += 1
            version, resources = self.sets.get(type_url, ("", []))
            return discovery_pb2.DiscoveryResponse(
                type_url=type_url, version_info=version, resources=resources, nonce=str(self._nonce))

    def StreamAggregatedResources(self, request_iterator, context):
        outbox: queue.Queue = queue.Queue()
        subscribed: set = set()
        entry = (outbox, subscribed)
        with self._lock:
            self._streams.append(entry)

        def read():
            try:
                for request in request_iterator:
                    self.requests.put(request)
                    if not request.response_nonce:
                        subscribed.add(request.type_url)
                        outbox.put(self._response(request.type_url))
            except grpc.RpcError:
                # The sink ended the stream (a NACK test, a kill): nothing more to read.
                pass
            finally:
                outbox.put(None)

        threading.Thread(target=read, daemon=True).start()
        try:
            while True:
                item = outbox.get()
                if item is None:
                    return
                yield item
        finally:
            with self._lock:
                self._streams.remove(entry)

    def next_request(self, type_url: str, timeout: float = 10.0, nacks_only: bool = False):
        """The next request for type_url (NACKs only, when asked)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                request = self.requests.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if request.type_url == type_url and (not nacks_only or request.HasField("error_detail")):
                return request
        raise AssertionError(f"no {'NACK' if nacks_only else 'request'} for {type_url} in {timeout}s")

    def stop(self) -> None:
        self.server.stop(0)
