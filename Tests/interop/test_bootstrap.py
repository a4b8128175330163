"""`fairway bootstrap`: Envoy's decoded with Envoy's own protos, grpc's used by a real grpcio client."""

import json
import os
import subprocess
import sys

import pytest
from google.protobuf import json_format

from envoy.config.bootstrap.v3 import bootstrap_pb2
from envoy.extensions.upstreams.http.v3 import http_protocol_options_pb2

from fairway_server import FairwayServer, fairway_binary
from strict_decode import assert_no_unknown_fields
from test_grpc_proxyless import TARGET, mesh_yaml, start_backend, virtual_service

NODE = "sidecar~10.0.0.5~reviews-v1-1.shop~shop.svc.cluster.local"


def bootstrap(*args, check=True):
    result = subprocess.run([fairway_binary(), "bootstrap", *args], capture_output=True, text=True, timeout=30)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def envoy_bootstrap(*args) -> bootstrap_pb2.Bootstrap:
    text = bootstrap("envoy", "--node-id", NODE, *args).stdout
    # json_format.Parse rejects unknown fields: every key must be one of Envoy's.
    message = json_format.Parse(text, bootstrap_pb2.Bootstrap())
    assert_no_unknown_fields(message)
    return message


def test_envoy_bootstrap_decodes_with_envoys_protos():
    b = envoy_bootstrap("--namespace", "shop", "--labels", "app=reviews,version=v1",
                        "--xds-address", "10.1.2.3:15010", "--admin-port", "15000")
    assert b.node.id == NODE
    assert b.node.cluster == "reviews.shop"
    meta = json_format.MessageToDict(b.node.metadata)
    assert meta == {"NAMESPACE": "shop", "LABELS": {"app": "reviews", "version": "v1"}}

    ads = b.dynamic_resources.ads_config
    assert ads.api_type == ads.GRPC
    assert ads.transport_api_version == 2  # V3
    assert [s.envoy_grpc.cluster_name for s in ads.grpc_services] == ["xds-grpc"]
    for source in (b.dynamic_resources.lds_config, b.dynamic_resources.cds_config):
        assert source.WhichOneof("config_source_specifier") == "ads"
        assert source.resource_api_version == 2  # V3

    [cluster] = b.static_resources.clusters
    assert cluster.name == "xds-grpc"
    assert cluster.type == cluster.STATIC
    [locality] = cluster.load_assignment.endpoints
    [endpoint] = locality.lb_endpoints
    socket = endpoint.endpoint.address.socket_address
    assert (socket.address, socket.port_value) == ("10.1.2.3", 15010)
    options = http_protocol_options_pb2.HttpProtocolOptions()
    packed = cluster.typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
    assert packed.Unpack(options)
    assert options.explicit_http_config.HasField("http2_protocol_options")
    assert b.admin.address.socket_address.port_value == 15000


def test_envoy_bootstrap_uses_dns_for_a_hostname_and_brackets_nothing_for_ipv6():
    [cluster] = envoy_bootstrap("--xds-address", "fairway.mesh-system.svc:15010").static_resources.clusters
    assert cluster.type == cluster.STRICT_DNS
    assert cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address == \
        "fairway.mesh-system.svc"
    [cluster] = envoy_bootstrap("--xds-address", "[::1]:15010").static_resources.clusters
    assert cluster.type == cluster.STATIC
    assert cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address == "::1"


def socket_addresses(cluster) -> list[tuple[str, int]]:
    [locality] = cluster.load_assignment.endpoints
    return [(e.endpoint.address.socket_address.address, e.endpoint.address.socket_address.port_value)
            for e in locality.lb_endpoints]


def test_envoy_bootstrap_lists_every_replica_and_fails_over_quickly():
    b = envoy_bootstrap("--xds-address", "10.1.2.3:15010, 10.1.2.4:15010", "--xds-address", "[fd00::5]:15011",
                        "--xds-address", "10.1.2.3:15010")
    [cluster] = b.static_resources.clusters
    assert cluster.type == cluster.STATIC and cluster.lb_policy == cluster.ROUND_ROBIN
    # One endpoint per replica, in order, the repeated one once.
    assert socket_addresses(cluster) == [("10.1.2.3", 15010), ("10.1.2.4", 15010), ("fd00::5", 15011)]
    assert cluster.connect_timeout.ToMilliseconds() == 1000
    # A replica that vanishes without closing its connections is noticed (Envoy's advice for
    # the management server's cluster): TCP keepalive and HTTP/2 PINGs.
    keepalive = cluster.upstream_connection_options.tcp_keepalive
    assert (keepalive.keepalive_time.value, keepalive.keepalive_interval.value, keepalive.keepalive_probes.value) == \
        (30, 5, 3)
    options = http_protocol_options_pb2.HttpProtocolOptions()
    assert cluster.typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"].Unpack(options)
    ping = options.explicit_http_config.http2_protocol_options.connection_keepalive
    assert (ping.interval.ToMilliseconds(), ping.timeout.ToMilliseconds()) == (30_000, 10_000)
    # The ADS stream is re-opened after a short backoff (Envoy's default: 500 ms up to 30 s).
    [service] = b.dynamic_resources.ads_config.grpc_services
    backoff = service.envoy_grpc.retry_policy.retry_back_off
    assert (backoff.base_interval.ToMilliseconds(), backoff.max_interval.ToMilliseconds()) == (250, 10_000)


def test_envoy_accepts_the_several_replica_bootstrap(tmp_path):
    """Envoy's own validation (PGV rules and semantics, not only the proto shape)."""
    from mesh_net import envoy_binary
    for addresses in (("127.0.0.1:15010,127.0.0.1:15011,127.0.0.1:15012",), ("fairway-0.fairway:15010", "10.0.0.1:15010")):
        text = bootstrap("envoy", "--node-id", NODE, "--delta", *[a for x in addresses for a in ("--xds-address", x)]).stdout
        path = tmp_path / "envoy.json"
        path.write_text(text)
        result = subprocess.run([envoy_binary(), "--mode", "validate", "-c", str(path), "--disable-hot-restart"],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr


def test_envoy_bootstrap_with_a_hostname_among_replicas_uses_dns():
    [cluster] = envoy_bootstrap("--xds-address", "fairway-0.fairway:15010,10.0.0.1:15010").static_resources.clusters
    assert cluster.type == cluster.STRICT_DNS
    assert socket_addresses(cluster) == [("fairway-0.fairway", 15010), ("10.0.0.1", 15010)]


def test_grpc_and_mosn_bootstraps_list_every_replica():
    args = ("--node-id", NODE, "--xds-address", "127.0.0.1:15010,[::1]:15011", "--xds-address", "10.0.0.7:15012")
    grpc = json.loads(bootstrap("grpc", *args).stdout)
    assert [s["server_uri"] for s in grpc["xds_servers"]] == ["127.0.0.1:15010", "[::1]:15011", "10.0.0.7:15012"]
    assert all(s["channel_creds"] == [{"type": "insecure"}] for s in grpc["xds_servers"])
    mosn = json.loads(bootstrap("mosn", *args).stdout)
    static = json_format.ParseDict(mosn["static_resources"], bootstrap_pb2.Bootstrap.StaticResources())
    [cluster] = static.clusters
    assert socket_addresses(cluster) == [("127.0.0.1", 15010), ("::1", 15011), ("10.0.0.7", 15012)]
    # MOSN's older protos: none of Envoy's newer keepalive fields.
    assert "upstream_connection_options" not in mosn["static_resources"]["clusters"][0]


def test_mosn_bootstrap_carries_envoy_shaped_xds_sections():
    config = json.loads(bootstrap("mosn", "--node-id", NODE, "--namespace", "shop", "--labels", "app=reviews",
                                  "--xds-address", "127.0.0.1:15010").stdout)
    assert {"servers", "cluster_manager", "dynamic_resources", "static_resources", "admin", "node"} <= set(config)
    # MOSN hands these two sections to its xDS client as Envoy v3 messages.
    dynamic = json_format.ParseDict(config["dynamic_resources"], bootstrap_pb2.Bootstrap.DynamicResources())
    assert dynamic.ads_config.grpc_services[0].envoy_grpc.cluster_name == "xds-grpc"
    static = json_format.ParseDict(config["static_resources"], bootstrap_pb2.Bootstrap.StaticResources())
    assert static.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value == 15010
    assert config["node"]["metadata"]["FAIRWAY_PROXY"] == "mosn"
    assert config["admin"]["address"]["socket_address"]["port_value"] == 34901


def test_grpc_bootstrap_shape():
    config = json.loads(bootstrap("grpc", "--node-id", NODE, "--namespace", "shop", "--labels", "app=reviews").stdout)
    assert config["xds_servers"] == [{"server_uri": "127.0.0.1:15010", "channel_creds": [{"type": "insecure"}],
                                      "server_features": ["xds_v3"]}]
    assert config["node"]["id"] == NODE
    assert config["node"]["metadata"] == {"GENERATOR": "grpc", "NAMESPACE": "shop", "LABELS": {"app": "reviews"}}


@pytest.mark.parametrize("args, message", [
    (["envoy", "--node-id", NODE, "--labels", "app"], "invalid label"),
    (["envoy", "--node-id", NODE, "--labels", "=x"], "invalid label"),
    (["grpc", "--node-id", NODE, "--xds-address", "no-port"], "--xds-address"),
    (["grpc", "--node-id", NODE, "--xds-address", "h:99999"], "--xds-address"),
    (["grpc", "--node-id", NODE, "--xds-address", "[::1"], "--xds-address"),
    (["envoy", "--node-id", NODE, "--xds-address", "127.0.0.1:15010,no-port"], "--xds-address"),
    (["envoy", "--node-id", NODE, "--xds-address", "127.0.0.1:15010,"], "--xds-address"),
    (["grpc", "--node-id", NODE, "--xds-address", "127.0.0.1:15010", "--xds-address", "h:0"], "--xds-address"),
    (["mosn", "--node-id", ""], "--node-id"),
    (["istio", "--node-id", NODE], "client"),
    (["envoy"], "--node-id"),
])
def test_bad_arguments_fail_with_a_message(args, message):
    result = bootstrap(*args, check=False)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Fatal error" not in result.stderr


def test_grpc_bootstrap_drives_a_real_grpcio_client():
    servers = {}
    ports = {}
    for name, version in (("a", "v1"), ("b", "v2")):
        server, port = start_backend(name)
        servers[name] = server
        ports[name] = (port, version)
    fairway = FairwayServer("--debounce-quiet-ms", "20")
    process = None
    try:
        fairway.apply(mesh_yaml(ports))
        fairway.apply(virtual_service(50, 50))
        text = bootstrap("grpc", "--node-id", "sidecar~127.0.0.1~client-9.default~default.svc.cluster.local",
                         "--labels", "app=client", "--xds-address", fairway.ads_address).stdout
        env = dict(os.environ, GRPC_XDS_BOOTSTRAP_CONFIG=text)
        script = os.path.join(os.path.dirname(__file__), "grpc_xds_client.py")
        process = subprocess.Popen([sys.executable, script, TARGET], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True, env=env)
        assert process.stdin and process.stdout
        process.stdin.write(json.dumps({"calls": 20, "metadata": {}, "wait": True}) + "\n")
        process.stdin.flush()
        answer = json.loads(process.stdout.readline())
        assert answer["errors"] == 0, answer
        assert sum(answer["counts"].values()) == 20 and set(answer["counts"]) <= {"a", "b"}
        # Fairway saw it as a proxyless gRPC client.
        [stream] = [s for s in fairway.get_json("/debug/syncz") if s["proxy"].startswith("sidecar~127.0.0.1~client-9")]
        assert stream["proxy_type"] == "grpc"
    finally:
        if process:
            process.stdin.close()
            process.wait(timeout=10)
        fairway.stop()
        for server in servers.values():
            server.stop(0)


def test_dubbo_example_files_are_what_the_cli_prints():
    """Examples/dubbo's bootstraps: regenerated from the commands in its README."""
    import pathlib
    import re
    import shlex

    folder = pathlib.Path(__file__).resolve().parents[2] / "Examples" / "dubbo"
    readme = (folder / "README.md").read_text()
    rows = re.findall(r"^\| `([\w-]+\.json)` \| `fairway bootstrap (.+)` \|$", readme, re.M)
    assert len(rows) == 4
    for name, command in rows:
        printed = json.loads(bootstrap(*shlex.split(command)).stdout)
        assert printed == json.loads((folder / name).read_text()), name
        if name.startswith("envoy"):
            message = json_format.Parse((folder / name).read_text(), bootstrap_pb2.Bootstrap())
            assert message.node.metadata.fields["INTERCEPTION_MODE"].string_value == "NONE"
        else:
            listeners = printed["servers"][0]["listeners"]
            [listener] = listeners
            proxy = listener["filter_chains"][0]["filters"][0]["config"]
            assert proxy["downstream_protocol"] == "dubbo"
            if "consumer" in name:
                assert listener["address"] == "0.0.0.0:20881" and proxy["router_config_name"] == "20882"
            else:
                assert listener["address"] == "0.0.0.0:20882"
                [cluster] = printed["cluster_manager"]["clusters"]
                assert cluster["hosts"] == [{"address": "127.0.0.1:20880"}]


def test_dubbo_listener_flags_are_for_mosn_only():
    result = bootstrap("envoy", "--node-id", NODE, "--dubbo-egress-port", "20881", check=False)
    assert result.returncode != 0 and "mosn" in result.stderr


def test_envoy_bootstrap_carries_auto_registration_metadata():
    b = envoy_bootstrap("--namespace", "shop", "--auto-register-group", "reviews-vm", "--network", "vm-net",
                        "--locality", "us-east/zone-a")
    fields = b.node.metadata.fields
    assert fields["AUTO_REGISTER_GROUP"].string_value == "reviews-vm"
    assert fields["NETWORK"].string_value == "vm-net"
    assert (b.node.locality.region, b.node.locality.zone, b.node.locality.sub_zone) == ("us-east", "zone-a", "")
    plain = envoy_bootstrap()
    assert "AUTO_REGISTER_GROUP" not in plain.node.metadata.fields and not plain.node.HasField("locality")
    bad = bootstrap("envoy", "--node-id", NODE, "--locality", "a/b/c/d", check=False)
    assert bad.returncode != 0 and "--locality" in bad.stderr
