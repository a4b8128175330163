"""Fairway's translation of realistic meshes, decoded with Envoy's own protos.

The Swift test GoldenFixtureTests writes every resource each proxy would receive to
.build/fixtures/translate/<mesh>/<proxy>/; here each one is decoded strictly (an unknown field
means a wrong field number that Envoy or grpc would silently drop) and its meaning is checked
field by field.
"""

from __future__ import annotations

import json
import pathlib

import pytest
from envoy.config.cluster.v3 import cluster_pb2
from envoy.config.core.v3 import base_pb2, config_source_pb2  # noqa: F401  (registers types)
from envoy.config.endpoint.v3 import endpoint_pb2
from envoy.config.listener.v3 import listener_pb2
from envoy.config.route.v3 import route_pb2
from envoy.extensions.filters.http.fault.v3 import fault_pb2
from envoy.extensions.filters.http.router.v3 import router_pb2  # noqa: F401
from envoy.extensions.filters.network.dubbo_proxy.v3 import route_pb2 as dubbo_route_pb2
from envoy.extensions.filters.network.http_connection_manager.v3 import http_connection_manager_pb2 as hcm_pb2
from envoy.extensions.filters.network.tcp_proxy.v3 import tcp_proxy_pb2

from strict_decode import assert_no_unknown_fields, unpack_any

ROOT = pathlib.Path(__file__).resolve().parents[2] / ".build/fixtures/translate"
MESSAGES = {
    "cds": cluster_pb2.Cluster,
    "eds": endpoint_pb2.ClusterLoadAssignment,
    "lds": listener_pb2.Listener,
    "rds": route_pb2.RouteConfiguration,
    "drds": dubbo_route_pb2.MultipleRouteConfiguration,
}
DEFAULT_RETRY_ON = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes"


def load(mesh: str, proxy: str) -> dict[str, dict]:
    """{type: {name: decoded message}}, every message strictly decoded."""
    base = ROOT / mesh / proxy
    manifest_path = base / "manifest.json"
    if not manifest_path.exists():
        pytest.fail(f"{manifest_path} missing: the Swift tests write it (run `make test`)")
    manifest = json.loads(manifest_path.read_text())
    out: dict[str, dict] = {}
    for kind, files in manifest.items():
        out[kind] = {}
        for name, file in files.items():
            message = MESSAGES[kind]()
            message.ParseFromString((base / file).read_bytes())
            assert_no_unknown_fields(message)
            assert (message.cluster_name if kind == "eds" else message.name) == name
            out[kind][name] = message
    return out


def all_fixture_dirs() -> list[tuple[str, str]]:
    if not ROOT.exists():
        return []
    return sorted((m.name, p.name) for m in ROOT.iterdir() for p in m.iterdir() if p.is_dir())


def hcm_of(listener) -> hcm_pb2.HttpConnectionManager:
    if listener.HasField("api_listener"):
        return unpack_any(listener.api_listener.api_listener)
    return unpack_any(listener.filter_chains[0].filters[0].typed_config)


def vhost(config, name):
    return next(v for v in config.virtual_hosts if v.name == name)


@pytest.mark.parametrize("mesh,proxy", all_fixture_dirs() or [("bookinfo", "envoy")])
def test_every_resource_decodes_strictly_and_is_well_formed(mesh, proxy):
    resources = load(mesh, proxy)
    grpc = proxy == "grpc"
    for name, cluster in resources["cds"].items():
        assert cluster.connect_timeout.ToNanoseconds() > 0
        for any_options in cluster.typed_extension_protocol_options.values():
            assert_no_unknown_fields(unpack_any(any_options))
        if cluster.type == cluster_pb2.Cluster.EDS:
            assert cluster.eds_cluster_config.service_name == name
            assert cluster.eds_cluster_config.eds_config.HasField("ads")
            assert cluster.eds_cluster_config.eds_config.resource_api_version == config_source_pb2.V3
            assert name in resources["eds"], f"EDS cluster {name} has no assignment"
        if grpc:
            assert cluster.type in (cluster_pb2.Cluster.EDS, cluster_pb2.Cluster.LOGICAL_DNS), name
            assert cluster.lb_policy in (cluster_pb2.Cluster.ROUND_ROBIN, cluster_pb2.Cluster.RING_HASH), name
    for name, cla in resources["eds"].items():
        for locality in cla.endpoints:
            assert locality.load_balancing_weight.value == sum(
                e.load_balancing_weight.value for e in locality.lb_endpoints
            )
            for endpoint in locality.lb_endpoints:
                assert endpoint.load_balancing_weight.value >= 1
                if grpc:
                    assert endpoint.endpoint.address.socket_address.port_value > 0
    route_names = set(resources["rds"])
    for name, listener in resources["lds"].items():
        for chain in listener.filter_chains:
            for f in chain.filters:
                inner = unpack_any(f.typed_config)
                assert_no_unknown_fields(inner)
                if f.name == "envoy.filters.network.dubbo_proxy" and inner.HasField("drds"):
                    # Every Dubbo listener's dynamic routes exist.
                    assert inner.drds.route_config_name in resources.get("drds", {}), name
        if listener.HasField("api_listener") or (
            listener.filter_chains
            and listener.filter_chains[0].filters[0].name == "envoy.filters.network.http_connection_manager"
        ):
            hcm = hcm_of(listener)
            assert hcm.http_filters, name
            assert hcm.http_filters[-1].name == "envoy.filters.http.router"
            for f in hcm.http_filters:
                assert_no_unknown_fields(unpack_any(f.typed_config))
            if hcm.HasField("rds"):
                assert hcm.rds.config_source.HasField("ads")
                assert hcm.rds.route_config_name in route_names, name
    for name, config in resources["rds"].items():
        domains = [d for v in config.virtual_hosts for d in v.domains]
        assert len(domains) == len(set(domains)), f"duplicate domains in {name}"
        for vh in config.virtual_hosts:
            if grpc:
                assert name in vh.domains
            for route in vh.routes:
                if proxy == "mosn" and route.match.WhichOneof("path_specifier") is None:
                    # MOSN's Dubbo routes: header-only (Dubbo calls have no path).
                    assert route.match.headers, f"{name}: a MOSN route without path matches on headers"
                    continue
                assert route.match.WhichOneof("path_specifier") is not None
                if grpc:
                    assert route.WhichOneof("action") == "route"
                    assert not route.match.query_parameters
                if route.WhichOneof("action") == "route" and route.route.HasField("weighted_clusters"):
                    weights = [c.weight.value for c in route.route.weighted_clusters.clusters]
                    assert all(w > 0 for w in weights)
                    # Envoy 1.40 deprecates total_weight: the sum of the weights is the total.
                    assert not route.route.weighted_clusters.HasField("total_weight")
                    assert sum(weights) < 2**32
                for key, any_config in route.typed_per_filter_config.items():
                    assert_no_unknown_fields(unpack_any(any_config))


def test_bookinfo_sidecar():
    r = load("bookinfo", "envoy")
    reviews = r["cds"]["outbound|9080|v1|reviews.default.svc.cluster.local"]
    assert reviews.type == cluster_pb2.Cluster.EDS
    assert reviews.lb_policy == cluster_pb2.Cluster.LEAST_REQUEST
    assert reviews.connect_timeout.seconds == 3
    t = reviews.circuit_breakers.thresholds[0]
    assert (t.max_connections.value, t.max_pending_requests.value, t.max_requests.value, t.max_retries.value) == (
        100, 10, 1000, 5)
    assert reviews.outlier_detection.consecutive_5xx.value == 7
    assert reviews.outlier_detection.interval.seconds == 30
    assert reviews.outlier_detection.base_ejection_time.seconds == 60
    assert reviews.outlier_detection.max_ejection_percent.value == 50
    assert r["cds"]["outbound|9080|v2|reviews.default.svc.cluster.local"].lb_policy == cluster_pb2.Cluster.ROUND_ROBIN
    assert r["cds"]["PassthroughCluster"].type == cluster_pb2.Cluster.ORIGINAL_DST

    cla = r["eds"]["outbound|9080||reviews.default.svc.cluster.local"]
    by_zone = {l.locality.zone: l for l in cla.endpoints}
    assert set(by_zone) == {"zone-a", "zone-b"}
    assert by_zone["zone-a"].locality.region == "us-east"
    assert by_zone["zone-a"].load_balancing_weight.value == 4
    assert [e.endpoint.address.socket_address.address for e in by_zone["zone-a"].lb_endpoints] == [
        "10.1.0.1", "10.1.0.2"]
    assert [e.load_balancing_weight.value for e in by_zone["zone-a"].lb_endpoints] == [1, 3]
    v2 = r["eds"]["outbound|9080|v2|reviews.default.svc.cluster.local"]
    assert [e.endpoint.address.socket_address.address for l in v2.endpoints for e in l.lb_endpoints] == ["10.1.0.2"]

    listener = r["lds"]["0.0.0.0_9080"]
    assert listener.address.socket_address.port_value == 9080
    hcm = hcm_of(listener)
    assert hcm.rds.route_config_name == "9080"
    assert [f.name for f in hcm.http_filters] == ["envoy.filters.http.router"]
    outbound = r["lds"]["virtualOutbound"]
    assert outbound.address.socket_address.port_value == 15001
    assert outbound.use_original_dst.value
    assert outbound.listener_filters[0].name == "envoy.filters.listener.original_dst"

    config = r["rds"]["9080"]
    vh = vhost(config, "reviews.default.svc.cluster.local:9080")
    assert {"reviews", "reviews:9080", "reviews.default", "reviews.default.svc.cluster.local:9080"} <= set(vh.domains)
    jason, split = vh.routes
    assert jason.match.prefix == "/"
    assert jason.match.headers[0].name == "end-user"
    assert jason.match.headers[0].string_match.exact == "jason"
    assert jason.route.cluster == "outbound|9080|v2|reviews.default.svc.cluster.local"
    assert jason.route.retry_policy.num_retries.value == 2
    assert jason.route.retry_policy.retry_on == DEFAULT_RETRY_ON
    clusters = split.route.weighted_clusters.clusters
    assert [(c.name, c.weight.value) for c in clusters] == [
        ("outbound|9080|v1|reviews.default.svc.cluster.local", 50),
        ("outbound|9080|v3|reviews.default.svc.cluster.local", 50),
    ]
    assert split.route.timeout.seconds == 5
    assert split.route.retry_policy.num_retries.value == 3
    assert split.route.retry_policy.per_try_timeout.seconds == 2
    ratings = vhost(config, "ratings.default.svc.cluster.local:9080")
    assert ratings.routes[0].route.cluster == "outbound|9080||ratings.default.svc.cluster.local"
    assert config.virtual_hosts[-1].domains == ["*"]


def test_bookinfo_grpc():
    r = load("bookinfo", "grpc")
    assert set(r["lds"]) == {"reviews.default.svc.cluster.local:9080", "ratings:9080"}
    for name, listener in r["lds"].items():
        hcm = hcm_of(listener)
        assert hcm.rds.route_config_name == name
        assert [f.name for f in hcm.http_filters] == ["envoy.filters.http.router"]
        assert name in r["rds"]
    for cluster in r["cds"].values():
        assert cluster.lb_policy == cluster_pb2.Cluster.ROUND_ROBIN
        assert cluster.type == cluster_pb2.Cluster.EDS
    config = r["rds"]["ratings:9080"]
    assert "ratings:9080" in config.virtual_hosts[0].domains
    assert config.virtual_hosts[0].routes[0].route.cluster == "outbound|9080||ratings.default.svc.cluster.local"


def test_bookinfo_mosn_uses_legacy_header_matchers():
    r = load("bookinfo", "mosn")
    vh = vhost(r["rds"]["9080"], "reviews.default.svc.cluster.local:9080")
    matcher = vh.routes[0].match.headers[0]
    assert matcher.WhichOneof("header_match_specifier") == "exact_match"
    assert matcher.exact_match == "jason"


def test_bookinfo_inbound():
    r = load("bookinfo", "reviews-v2")
    cluster = r["cds"]["inbound|9080||"]
    assert cluster.type == cluster_pb2.Cluster.STATIC
    sa = cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address
    assert (sa.address, sa.port_value) == ("127.0.0.1", 9080)
    listener = r["lds"]["virtualInbound"]
    assert listener.address.socket_address.port_value == 15006
    assert not listener.use_original_dst.value
    chain = listener.filter_chains[0]
    assert chain.filter_chain_match.destination_port.value == 9080
    hcm = unpack_any(chain.filters[0].typed_config)
    assert hcm.route_config.virtual_hosts[0].routes[0].route.cluster == "inbound|9080||"
    assert unpack_any(listener.default_filter_chain.filters[0].typed_config).cluster == "PassthroughCluster"


def test_external_dns_and_tcp():
    r = load("external", "envoy")
    httpbin = r["cds"]["outbound|80||httpbin.org"]
    # STRICT_DNS through Envoy's DNS cluster extension (Cluster.respect_dns_ttl is deprecated).
    assert httpbin.WhichOneof("cluster_discovery_type") == "cluster_type"
    assert httpbin.cluster_type.name == "envoy.clusters.dns"
    dns = unpack_any(httpbin.cluster_type.typed_config)
    assert_no_unknown_fields(dns)
    assert dns.respect_dns_ttl and not dns.all_addresses_in_single_endpoint
    assert not httpbin.respect_dns_ttl
    sa = httpbin.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address
    assert (sa.address, sa.port_value) == ("httpbin.org", 80)
    assert "outbound|80||httpbin.org" not in r["eds"]
    db = r["cds"]["outbound|5432||db.example.internal"]
    hosts = sorted(e.endpoint.address.socket_address.address for l in db.load_assignment.endpoints for e in l.lb_endpoints)
    assert hosts == ["db1.example.internal", "db2.example.internal"]
    legacy = r["cds"]["outbound|8080||legacy.example.com"]
    assert legacy.type == cluster_pb2.Cluster.ORIGINAL_DST
    assert legacy.lb_policy == cluster_pb2.Cluster.CLUSTER_PROVIDED
    tcp = unpack_any(r["lds"]["10.50.0.10_5432"].filter_chains[0].filters[0].typed_config)
    assert isinstance(tcp, tcp_proxy_pb2.TcpProxy)
    assert tcp.cluster == "outbound|5432||db.example.internal"
    assert "httpbin.org:80" in vhost(r["rds"]["80"], "httpbin.org:80").domains

    g = load("external", "grpc")
    assert g["cds"]["outbound|80||httpbin.org"].type == cluster_pb2.Cluster.LOGICAL_DNS
    assert "outbound|8080||legacy.example.com" not in g["cds"]
    assert set(g["lds"]) == {"httpbin.org:80"}


def test_gateway_router_and_tls_origination():
    r = load("gateway", "router")
    assert set(r["lds"]) == {"0.0.0.0_18080", "0.0.0.0_18081", "0.0.0.0_18443", "0.0.0.0_13306"}
    assert set(r["rds"]) == {"http.18080", "http.18081"}
    assert hcm_of(r["lds"]["0.0.0.0_18080"]).rds.route_config_name == "http.18080"
    shop = vhost(r["rds"]["http.18080"], "shop.example.com:18080")
    assert list(shop.domains) == ["shop.example.com", "shop.example.com:*"]
    # Two VirtualServices merged: the /api route of the second before the first's catch-all.
    assert [route.match.prefix for route in shop.routes] == ["/api", "/"]
    assert shop.routes[0].route.cluster == "outbound|80||api.example.com"
    redirect = vhost(r["rds"]["http.18081"], "shop.example.com:18081")
    assert redirect.require_tls == type(redirect).ALL
    passthrough = r["lds"]["0.0.0.0_18443"]
    assert [f.name for f in passthrough.listener_filters] == ["envoy.filters.listener.tls_inspector"]
    assert_no_unknown_fields(unpack_any(passthrough.listener_filters[0].typed_config))
    assert list(passthrough.filter_chains[0].filter_chain_match.server_names) == ["pass.example.com"]
    tcp = unpack_any(passthrough.filter_chains[0].filters[0].typed_config)
    assert tcp.cluster == "outbound|9443||secure.default.svc.cluster.local"
    # TLS origination: strict decode of the UpstreamTlsContext.
    api = r["cds"]["outbound|80||api.example.com"]
    assert api.transport_socket.name == "envoy.transport_sockets.tls"
    context = unpack_any(api.transport_socket.typed_config)
    assert_no_unknown_fields(context)
    assert context.sni == "api.example.com"
    validation = context.common_tls_context.validation_context
    assert validation.trusted_ca.filename == "/etc/ssl/certs/ca-certificates.crt"
    assert [m.matcher.exact for m in validation.match_typed_subject_alt_names] == ["api.example.com"]
    unverified = unpack_any(r["cds"]["outbound|80|unverified|api.example.com"].transport_socket.typed_config)
    assert not unverified.common_tls_context.HasField("validation_context")

    # Sidecars: only the mesh half of shop-api (its /api match is for the gateway only).
    s = load("gateway", "envoy")
    assert "0.0.0.0_18080" not in s["lds"]
    assert not any("shop.example.com" in v.domains for c in s["rds"].values() for v in c.virtual_hosts)
    assert s["cds"]["outbound|80||api.example.com"].transport_socket.name == "envoy.transport_sockets.tls"


def test_localities_and_weights():
    r = load("localities", "envoy")
    cla = r["eds"]["outbound|50051||catalog.shop.svc.cluster.local"]
    localities = {(l.locality.region, l.locality.zone, l.locality.sub_zone): l for l in cla.endpoints}
    assert set(localities) == {("eu-west", "eu-west-1a", "rack1"), ("eu-west", "eu-west-1b", ""), ("us-east", "us-east-1a", "")}
    assert localities[("eu-west", "eu-west-1a", "rack1")].load_balancing_weight.value == 5
    assert localities[("eu-west", "eu-west-1b", "")].load_balancing_weight.value == 1
    assert localities[("us-east", "us-east-1a", "")].load_balancing_weight.value == 10
    v2 = r["eds"]["outbound|50051|v2|catalog.shop.svc.cluster.local"]
    assert sorted(e.endpoint.address.socket_address.address for l in v2.endpoints for e in l.lb_endpoints) == [
        "10.3.0.3", "10.3.0.4"]
    catalog = r["cds"]["outbound|50051||catalog.shop.svc.cluster.local"]
    assert catalog.lb_policy == cluster_pb2.Cluster.RING_HASH
    options = unpack_any(catalog.typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"])
    assert options.explicit_http_config.HasField("http2_protocol_options")
    assert catalog.common_lb_config.HasField("locality_weighted_lb_config")
    route = vhost(r["rds"]["50051"], "catalog.shop.svc.cluster.local:50051").routes[0]
    assert route.route.hash_policy[0].header.header_name == "x-user"

    g = load("localities", "grpc")
    assert g["cds"]["outbound|50051||catalog.shop.svc.cluster.local"].lb_policy == cluster_pb2.Cluster.RING_HASH
    assert set(g["lds"]) == {"catalog:50051"}
    assert "catalog:50051" in g["rds"]["catalog:50051"].virtual_hosts[0].domains


def test_fault_routes_have_the_fault_filter_in_their_listener():
    """A route with fault config is useless unless its HttpConnectionManager runs the filter."""
    seen = 0
    for mesh, proxy in all_fixture_dirs():
        r = load(mesh, proxy)
        faulty = set()
        for name, config in r["rds"].items():
            for vh in config.virtual_hosts:
                for route in vh.routes:
                    if "envoy.filters.http.fault" in route.typed_per_filter_config:
                        fault = unpack_any(route.typed_per_filter_config["envoy.filters.http.fault"])
                        assert isinstance(fault, fault_pb2.HTTPFault)
                        assert fault.HasField("abort") or fault.HasField("delay")
                        faulty.add(name)
                        seen += 1
        for name, listener in r["lds"].items():
            if not (listener.HasField("api_listener") or listener.filter_chains):
                continue
            first = None if listener.HasField("api_listener") else listener.filter_chains[0].filters[0]
            if first is not None and first.name != "envoy.filters.network.http_connection_manager":
                continue
            hcm = hcm_of(listener)
            if hcm.HasField("rds") and hcm.rds.route_config_name in faulty:
                names = [f.name for f in hcm.http_filters]
                assert names[-2:] == ["envoy.filters.http.fault", "envoy.filters.http.router"], (mesh, proxy, name)
    examples = pathlib.Path(__file__).resolve().parents[2] / "Examples"
    if any("fault:" in p.read_text() for p in examples.glob("*.yaml")):
        assert seen > 0, "the Examples inject faults but no translated route carries one"
