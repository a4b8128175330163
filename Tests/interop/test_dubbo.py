"""Dubbo traffic management (issue 6), end to end against the real binary: the Examples/dubbo
demo applied over the admin API, Envoy and MOSN sidecars on raw ADS streams, every resource
decoded strictly with Envoy's own protos (xds-protos)."""

import json
import pathlib

import pytest
from google.protobuf import json_format

from ads_client import CDS, LDS, RDS, ADSStream, make_node
from fairway_server import FairwayServer
from strict_decode import import_for_type_url, unpack_any

DRDS = "type.googleapis.com/envoy.extensions.filters.network.dubbo_proxy.v3.MultipleRouteConfiguration"
DUBBO_PROXY = "type.googleapis.com/envoy.extensions.filters.network.dubbo_proxy.v3.DubboProxy"
INTERFACE = "mosn.io.dubbo.DemoService"
BLUE = f"outbound|20882|blue|{INTERFACE}"
GREEN = f"outbound|20882|green|{INTERFACE}"
WHOLE = f"outbound|20882||{INTERFACE}"
CONSUMER = "sidecar~10.0.0.10~dubbo-consumer-1.dubbo~dubbo.svc.cluster.local"
DEMO = (pathlib.Path(__file__).resolve().parents[2] / "Examples" / "dubbo" / "demo.yaml").read_text()


@pytest.fixture(scope="module")
def fairway():
    server = FairwayServer("--debounce-quiet-ms", "20")
    result = server.apply(DEMO)
    assert [r["action"] for r in result["results"]] == ["created"] * 5
    yield server
    server.stop()


def subscribe(stream, type_url, names=()):
    stream.request(type_url, names=names)
    response = stream.receive()
    assert response.type_url == type_url
    stream.ack(response)
    return response


def envoy_consumer(fairway):
    return ADSStream(fairway.ads_address, make_node(CONSUMER, namespace="dubbo", labels={"app": "dubbo-consumer"}))


def mosn_consumer(fairway):
    node = make_node(CONSUMER.replace("10.0.0.10", "10.0.0.20"), namespace="dubbo", labels={"app": "dubbo-consumer"})
    node.metadata.fields["FAIRWAY_PROXY"].string_value = "mosn"
    return ADSStream(fairway.ads_address, node)


def dubbo_routes(stream):
    response = subscribe(stream, DRDS, names=["20882"])
    resources = ADSStream.resources(response)
    assert list(resources) == ["20882"]
    return response, resources["20882"]


def test_envoy_listener_is_dubbo_proxy_with_drds(fairway):
    stream = envoy_consumer(fairway)
    try:
        clusters = ADSStream.names_of(subscribe(stream, CDS))
        assert {BLUE, GREEN, WHOLE} <= set(clusters)
        listeners = ADSStream.resources(subscribe(stream, LDS))
        listener = listeners["0.0.0.0_20882"]
        [chain] = listener.filter_chains
        [network_filter] = chain.filters
        assert network_filter.name == "envoy.filters.network.dubbo_proxy"
        assert network_filter.typed_config.type_url == DUBBO_PROXY
        proxy = unpack_any(network_filter.typed_config)
        assert proxy.WhichOneof("route_specifier") == "drds"
        assert proxy.drds.route_config_name == "20882"
        assert proxy.drds.config_source.WhichOneof("config_source_specifier") == "ads"
        assert proxy.drds.config_source.resource_api_version == 2  # V3
        assert len(proxy.route_config) == 0
        assert [f.name for f in proxy.dubbo_filters] == ["envoy.filters.dubbo.router"]
        assert unpack_any(proxy.dubbo_filters[0].config).DESCRIPTOR.full_name == \
            "envoy.extensions.filters.network.dubbo_proxy.router.v3.Router"
    finally:
        stream.close()


def test_envoy_dubbo_routes_in_order(fairway):
    stream = envoy_consumer(fairway)
    try:
        _, multiple = dubbo_routes(stream)
        [config] = multiple.route_config
        assert config.interface == INTERFACE and config.group == "" and config.version == ""
        canary, say_hello, split, default = config.routes
        assert [(h.name, h.string_match.exact) for h in canary.match.headers] == [("x-user-tag", "canary")]
        assert canary.match.method.name.safe_regex.regex == ".*"
        assert canary.route.cluster == GREEN
        assert say_hello.match.method.name.exact == "sayHello" and not say_hello.match.headers
        assert say_hello.route.cluster == BLUE
        assert [(c.name, c.weight.value) for c in split.route.weighted_clusters.clusters] == [(BLUE, 80), (GREEN, 20)]
        assert default.route.cluster == WHOLE
    finally:
        stream.close()


def test_virtual_service_change_pushes_routes_not_listener(fairway):
    stream = envoy_consumer(fairway)
    try:
        subscribe(stream, CDS)
        listeners = subscribe(stream, LDS)
        before, _ = dubbo_routes(stream)
        stream.expect_nothing(0.3)
        fairway.apply(DEMO.replace("weight: 80", "weight: 50").replace("weight: 20", "weight: 50"))
        pushed = stream.receive()
        assert pushed.type_url == DRDS, f"expected a Dubbo route push, got {pushed.type_url}"
        assert pushed.version_info != before.version_info
        [config] = ADSStream.resources(pushed)["20882"].route_config
        assert [c.weight.value for c in config.routes[2].route.weighted_clusters.clusters] == [50, 50]
        stream.ack(pushed)
        # Nothing else: the listener (and its connections) stays as it was.
        stream.expect_nothing(1.0)
        push = fairway.get_json("/debug/push_status")["lastPush"]
        assert push["types"] == ["rds", "drds"]
        syncz = next(s for s in fairway.get_json("/debug/syncz") if s["proxy"] == CONSUMER)
        assert syncz["xds"][LDS]["sentVersion"] == listeners.version_info
        assert syncz["xds"][LDS]["sent"] == listeners.nonce
        assert syncz["xds"][DRDS]["ackedVersion"] == pushed.version_info
    finally:
        fairway.apply(DEMO)
        stream.close()


def test_proxy_status_shows_dubbo_routes(fairway):
    import subprocess
    from fairway_server import fairway_binary

    stream = envoy_consumer(fairway)
    try:
        subscribe(stream, CDS)
        dubbo_routes(stream)
        out = subprocess.run([fairway_binary(), "proxy-status", "--server", fairway.admin_url, "-o", "json"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
        entry = next(e for e in json.loads(out) if e["name"] == CONSUMER)
        assert entry["xds"]["drds"]["state"] == "SYNCED"
        assert entry["xds"]["lds"]["state"] == "NOT SENT"
    finally:
        stream.close()


def test_mosn_gets_http_shaped_routes_field_by_field(fairway):
    stream = mosn_consumer(fairway)
    try:
        clusters = ADSStream.names_of(subscribe(stream, CDS))
        assert {BLUE, GREEN, WHOLE} <= set(clusters)
        response = subscribe(stream, RDS, names=["20882"])
        config = ADSStream.resources(response)["20882"]
        [host] = config.virtual_hosts
        assert list(host.domains) == [INTERFACE]
        for route in host.routes:
            assert route.match.WhichOneof("path_specifier") is None, "Dubbo calls have no path"
            for matcher in route.match.headers:
                assert matcher.WhichOneof("header_match_specifier") in ("exact_match", "safe_regex_match")
        canary, say_hello, split, default = host.routes
        assert [(h.name, h.exact_match) for h in canary.match.headers] == [("x-user-tag", "canary")]
        assert canary.route.cluster == GREEN
        assert [(h.name, h.exact_match) for h in say_hello.match.headers] == [("method", "sayHello")]
        assert say_hello.route.cluster == BLUE and say_hello.route.timeout.seconds == 3
        assert [(h.name, h.safe_regex_match.regex) for h in split.match.headers] == [("service", ".*")]
        weighted = split.route.weighted_clusters
        assert [(c.name, c.weight.value) for c in weighted.clusters] == [(BLUE, 80), (GREEN, 20)]
        assert weighted.total_weight.value == 100
        assert split.route.retry_policy.num_retries.value == 2
        assert split.route.retry_policy.per_try_timeout.seconds == 1
        assert default.route.cluster == WHOLE
        # MOSN's Dubbo listeners are static in its own config; none come over LDS.
        names = ADSStream.names_of(subscribe(stream, LDS))
        assert "0.0.0.0_20882" not in names
    finally:
        stream.close()


def test_http_only_fields_on_dubbo_host_are_refused(fairway):
    before = fairway.get_json("/debug/configz")
    bad = DEMO.split("kind: VirtualService")[0] + "kind: VirtualService" + """
metadata: {name: demo-service, namespace: dubbo}
spec:
  hosts: [mosn.io.dubbo.DemoService]
  http:
  - match: [{uri: {prefix: /hello}}]
    route: [{destination: {host: mosn.io.dubbo.DemoService, subset: blue}}]
    rewrite: {uri: /}
"""
    status, body = fairway.request("POST", "/apply", bad.encode())
    assert status == 422, body
    details = json.loads(body)["details"]
    fields = [d["field"] for d in details]
    assert "spec.http[0].match[0].uri" in fields and "spec.http[0].rewrite" in fields
    assert all("Dubbo" in d["message"] for d in details)
    assert fairway.get_json("/debug/configz") == before


def test_config_dump_of_the_demo_decodes_as_envoy_admin_config_dump(fairway):
    from envoy.admin.v3 import config_dump_pb2

    stream = envoy_consumer(fairway)
    try:
        subscribe(stream, CDS)
        subscribe(stream, LDS)
        dubbo_routes(stream)
        dump = fairway.get_json(f"/debug/config_dump?proxyID={CONSUMER}")
        for entry in dump["configs"]:
            for type_url in {entry["@type"]} | set(_nested_types(entry)):
                if not type_url.split("/", 1)[1].startswith("envoy.admin."):
                    import_for_type_url(type_url)
        import envoy.admin.v3.config_dump_shared_pb2  # noqa: F401  (the per-type sections)
        parsed = json_format.ParseDict({"configs": dump["configs"]}, config_dump_pb2.ConfigDump())
        types = [c.type_url.rsplit("/", 1)[1] for c in parsed.configs]
        assert types[-1] == "envoy.extensions.filters.network.dubbo_proxy.v3.MultipleRouteConfiguration"
        sections = {c["@type"].rsplit(".", 1)[-1]: c for c in dump["configs"]}
        clusters = {c["cluster"]["name"] for c in sections["ClustersConfigDump"]["dynamic_active_clusters"]}
        assert {BLUE, GREEN, WHOLE} <= clusters
        listener = next(l for l in sections["ListenersConfigDump"]["dynamic_listeners"] if l["name"] == "0.0.0.0_20882")
        typed = listener["active_state"]["listener"]["filter_chains"][0]["filters"][0]["typed_config"]
        assert typed["drds"]["route_config_name"] == "20882"
        dubbo = dump["configs"][-1]
        assert [r["interface"] for r in dubbo["route_config"]] == [INTERFACE]
    finally:
        stream.close()


def _nested_types(value):
    if isinstance(value, dict):
        if "@type" in value:
            yield value["@type"]
        for v in value.values():
            yield from _nested_types(v)
    elif isinstance(value, list):
        for v in value:
            yield from _nested_types(v)


def test_delta_subscription_to_dubbo_routes(fairway):
    stream = ADSStream(fairway.ads_address, make_node(CONSUMER.replace("10.0.0.10", "10.0.0.30"),
                                                       namespace="dubbo"), delta=True)
    try:
        stream.delta_request(DRDS, subscribe=["20882", "20999"])
        response = stream.receive()
        assert response.type_url == DRDS
        assert [r.name for r in response.resources] == ["20882"]
        assert list(response.removed_resources) == ["20999"], "a name that does not exist is removed"
        [config] = ADSStream.resources(response)["20882"].route_config
        assert config.interface == INTERFACE
        stream.ack(response)
        stream.expect_nothing(0.3)
    finally:
        stream.close()
