"""Strict decoding with Envoy's protos: an unknown field means we sent a wrong field number."""

import importlib

from google.protobuf import any_pb2, message, symbol_database
from google.protobuf import unknown_fields as uf


def unknown_fields(msg: message.Message, path: str = "") -> list[str]:
    """Every place in `msg` (recursively, through Any) that holds bytes Envoy's schema lacks."""
    found = []
    name = path or msg.DESCRIPTOR.full_name
    if len(uf.UnknownFieldSet(msg)) > 0:
        found.append(name)
    for fd, value in msg.ListFields():
        if fd.message_type is None:
            continue
        if fd.message_type.GetOptions().map_entry:
            if fd.message_type.fields_by_name["value"].message_type is None:
                continue
            items = list(value.values())
        else:
            items = list(value) if fd.is_repeated else [value]
        for i, item in enumerate(items):
            sub = f"{name}.{fd.name}[{i}]" if fd.is_repeated else f"{name}.{fd.name}"
            if isinstance(item, any_pb2.Any):
                inner = unpack_any(item)
                found.extend(unknown_fields(inner, f"{sub}<{inner.DESCRIPTOR.full_name}>"))
            else:
                found.extend(unknown_fields(item, sub))
    return found


def unpack_any(value: any_pb2.Any) -> message.Message:
    """Unpacks an Any with the registered Envoy type; fails if the type is unknown to xds-protos."""
    import_for_type_url(value.type_url)
    full_name = value.type_url.split("/", 1)[1]
    cls = symbol_database.Default().GetSymbol(full_name)
    inner = cls()
    if not value.Unpack(inner):
        raise AssertionError(f"cannot unpack {value.type_url}")
    return inner


_TYPE_MODULES = {
    "envoy.config.cluster.v3.Cluster": "envoy.config.cluster.v3.cluster_pb2",
    "envoy.config.endpoint.v3.ClusterLoadAssignment": "envoy.config.endpoint.v3.endpoint_pb2",
    "envoy.config.listener.v3.Listener": "envoy.config.listener.v3.listener_pb2",
    "envoy.config.route.v3.RouteConfiguration": "envoy.config.route.v3.route_pb2",
    "envoy.config.route.v3.VirtualHost": "envoy.config.route.v3.route_components_pb2",
    "envoy.extensions.filters.http.on_demand.v3.OnDemand":
        "envoy.extensions.filters.http.on_demand.v3.on_demand_pb2",
    "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager":
        "envoy.extensions.filters.network.http_connection_manager.v3.http_connection_manager_pb2",
    "envoy.extensions.filters.http.router.v3.Router": "envoy.extensions.filters.http.router.v3.router_pb2",
    "envoy.extensions.filters.http.fault.v3.HTTPFault": "envoy.extensions.filters.http.fault.v3.fault_pb2",
    "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy":
        "envoy.extensions.filters.network.tcp_proxy.v3.tcp_proxy_pb2",
    "envoy.extensions.filters.network.dubbo_proxy.v3.DubboProxy":
        "envoy.extensions.filters.network.dubbo_proxy.v3.dubbo_proxy_pb2",
    "envoy.extensions.filters.network.dubbo_proxy.v3.MultipleRouteConfiguration":
        "envoy.extensions.filters.network.dubbo_proxy.v3.route_pb2",
    "envoy.extensions.filters.network.dubbo_proxy.router.v3.Router":
        "envoy.extensions.filters.network.dubbo_proxy.router.v3.router_pb2",
    "envoy.extensions.filters.listener.original_dst.v3.OriginalDst":
        "envoy.extensions.filters.listener.original_dst.v3.original_dst_pb2",
    "envoy.extensions.filters.http.cors.v3.Cors": "envoy.extensions.filters.http.cors.v3.cors_pb2",
    "envoy.extensions.filters.http.cors.v3.CorsPolicy": "envoy.extensions.filters.http.cors.v3.cors_pb2",
    "envoy.extensions.clusters.dns.v3.DnsCluster": "envoy.extensions.clusters.dns.v3.dns_cluster_pb2",
    "envoy.extensions.upstreams.http.v3.HttpProtocolOptions":
        "envoy.extensions.upstreams.http.v3.http_protocol_options_pb2",
    "envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext":
        "envoy.extensions.transport_sockets.tls.v3.tls_pb2",
    "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext":
        "envoy.extensions.transport_sockets.tls.v3.tls_pb2",
    "envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector":
        "envoy.extensions.filters.listener.tls_inspector.v3.tls_inspector_pb2",
}


def import_for_type_url(type_url: str) -> None:
    full_name = type_url.split("/", 1)[1]
    module = _TYPE_MODULES.get(full_name)
    if module is None:
        raise AssertionError(f"no known Envoy module for {type_url}")
    importlib.import_module(module)


def assert_no_unknown_fields(msg: message.Message) -> None:
    found = unknown_fields(msg)
    assert not found, f"unknown fields (wrong field numbers?) at: {found}"
