"""A raw ADS client on grpcio + Envoy's own protos: sends exactly the requests a test scripts,
and strictly decodes every response (no unknown fields anywhere, Anys included)."""

from __future__ import annotations

import queue
import threading

import grpc
from envoy.config.core.v3 import base_pb2
from envoy.service.discovery.v3 import ads_pb2_grpc, discovery_pb2
from google.protobuf import struct_pb2
from google.rpc import status_pb2

from strict_decode import assert_no_unknown_fields, unpack_any

CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"
LDS = "type.googleapis.com/envoy.config.listener.v3.Listener"
RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"
VHDS = "type.googleapis.com/envoy.config.route.v3.VirtualHost"


def make_node(node_id: str, namespace: str = "default", labels: dict | None = None, generator: str | None = None,
              vhds: str | None = None):
    node = base_pb2.Node(id=node_id)
    fields = {"NAMESPACE": namespace}
    if generator:
        fields["GENERATOR"] = generator
    if vhds:
        fields["FAIRWAY_VHDS"] = vhds
    node.metadata.update(fields)
    if labels:
        node.metadata.fields["LABELS"].struct_value.update(labels)
    return node


class ADSStream:
    """One bidirectional ADS stream (SotW by default, Delta with delta=True)."""

    def __init__(self, address: str, node, delta: bool = False):
        self.channel = grpc.insecure_channel(address)
        stub = ads_pb2_grpc.AggregatedDiscoveryServiceStub(self.channel)
        self.delta = delta
        self.node = node
        self._requests: queue.Queue = queue.Queue()
        self._responses: queue.Queue = queue.Queue()
        self._first = True
        self._names: dict = {}
        call = stub.DeltaAggregatedResources if delta else stub.StreamAggregatedResources
        self._call = call(self._request_iter())
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _request_iter(self):
        while True:
            item = self._requests.get()
            if item is None:
                return
            yield item

    def _read(self):
        try:
            for response in self._call:
                self._responses.put(response)
        except grpc.RpcError as e:
            self._responses.put(e)
        self._responses.put(None)

    def send(self, request) -> None:
        if self._first:
            request.node.CopyFrom(self.node)
            self._first = False
        self._requests.put(request)

    def request(self, type_url: str, names=(), nonce: str = "", version: str = "", error: str | None = None):
        self._names[type_url] = list(names)
        req = discovery_pb2.DiscoveryRequest(
            type_url=type_url, resource_names=list(names), response_nonce=nonce, version_info=version)
        if error is not None:
            req.error_detail.CopyFrom(status_pb2.Status(code=3, message=error))
        self.send(req)

    def delta_request(self, type_url: str, subscribe=(), unsubscribe=(), nonce: str = "", initial=None, error=None):
        req = discovery_pb2.DeltaDiscoveryRequest(
            type_url=type_url, resource_names_subscribe=list(subscribe),
            resource_names_unsubscribe=list(unsubscribe), response_nonce=nonce)
        for k, v in (initial or {}).items():
            req.initial_resource_versions[k] = v
        if error is not None:
            req.error_detail.CopyFrom(status_pb2.Status(code=3, message=error))
        self.send(req)

    def receive(self, timeout: float = 5.0, strict: bool = True):
        """The next response, strictly decoded unless strict=False (for load tests, where
        decoding thousands of resources in Python would time the client, not the server)."""
        item = self._responses.get(timeout=timeout)
        if item is None or isinstance(item, Exception):
            raise AssertionError(f"stream ended: {item}")
        if strict:
            assert_no_unknown_fields(item)
        return item

    def expect_nothing(self, within: float = 0.5) -> None:
        try:
            item = self._responses.get(timeout=within)
        except queue.Empty:
            return
        raise AssertionError(f"expected no response, got {item}")

    def ack(self, response) -> None:
        if self.delta:
            self.delta_request(response.type_url, nonce=response.nonce)
        else:
            self.request(response.type_url, names=self._names.get(response.type_url, ()),
                         nonce=response.nonce, version=response.version_info)

    @staticmethod
    def resources(response) -> dict:
        """name -> decoded resource message for a SotW or Delta response."""
        out = {}
        if hasattr(response, "removed_resources"):
            for r in response.resources:
                out[r.name] = unpack_any(r.resource)
        else:
            for any_msg in response.resources:
                msg = unpack_any(any_msg)
                out[resource_name(msg)] = msg
        return out

    @classmethod
    def names_of(cls, response) -> list:
        return sorted(cls.resources(response))

    def close(self) -> None:
        self._requests.put(None)
        self.channel.close()


def resource_name(msg) -> str:
    for field in ("name", "cluster_name"):
        if hasattr(msg, field) and getattr(msg, field):
            return getattr(msg, field)
    raise AssertionError(f"no name on {msg.DESCRIPTOR.full_name}")


class AutoProxy:
    """A SotW proxy that answers every response by itself, like a fast Envoy: `mode` is "ack",
    "nack" (NACKs each response with `nack_message`) or "silent" (answers nothing); switch it
    at any time. Subscribes to CDS and LDS (wildcard), and to EDS/RDS names when given."""

    def __init__(self, address: str, node_id: str, eds=(), rds=(), nack_message: str = "rejected by test"):
        self.stream = ADSStream(address, make_node(node_id))
        self.node_id = node_id
        self.mode = "ack"
        self.nack_message = nack_message
        self.received: list = []
        self._stop = threading.Event()
        self.stream.request(CDS)
        self.stream.request(LDS)
        if eds:
            self.stream.request(EDS, names=list(eds))
        if rds:
            self.stream.request(RDS, names=list(rds))
        self._thread = threading.Thread(target=self._answer, daemon=True)
        self._thread.start()

    def _answer(self) -> None:
        while not self._stop.is_set():
            try:
                response = self.stream.receive(timeout=0.1, strict=False)
            except queue.Empty:
                continue
            except AssertionError:
                return
            self.received.append(response)
            if self.mode == "ack":
                self.stream.ack(response)
            elif self.mode == "nack":
                self.stream.request(response.type_url, names=self.stream._names.get(response.type_url, ()),
                                    nonce=response.nonce, error=self.nack_message)

    def names(self, type_url: str) -> set:
        """Every resource name received for a type (full-state types: the latest response)."""
        latest = [r for r in self.received if r.type_url == type_url]
        return set(ADSStream.names_of(latest[-1])) if latest else set()

    def close(self) -> None:
        self._stop.set()
        self.stream.close()
