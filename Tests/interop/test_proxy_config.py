"""`fairway proxy-config` against a running server, compared with what a real ADS stream got."""

import json
import subprocess

import pytest

from ads_client import CDS, EDS, LDS, RDS, ADSStream, make_node
from fairway_server import FairwayServer, fairway_binary
from mesh_fixtures import BASE, REVIEWS, SIDECAR

ROUTE = f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: reviews, namespace: default}}
spec:
  hosts: [{REVIEWS}]
  http:
  - route:
    - destination: {{host: {REVIEWS}, subset: v1}}
      weight: 70
    - destination: {{host: {REVIEWS}, subset: v2}}
      weight: 30
"""


@pytest.fixture(scope="module")
def mesh():
    server = FairwayServer("--debounce-quiet-ms", "20")
    server.apply(BASE + "---\n" + ROUTE)
    stream = ADSStream(server.ads_address, make_node(SIDECAR))
    try:
        sent = {}
        for type_url in (CDS, LDS):
            stream.request(type_url)
            response = stream.receive()
            sent[type_url] = ADSStream.resources(response)
            stream.ack(response)
        clusters = sorted(name for name in sent[CDS] if name.startswith("outbound|"))
        stream.request(EDS, names=clusters)
        response = stream.receive()
        sent[EDS] = ADSStream.resources(response)
        stream.ack(response)
        stream.request(RDS, names=["9080"])
        response = stream.receive()
        sent[RDS] = ADSStream.resources(response)
        stream.ack(response)
        yield server, sent
    finally:
        stream.close()
        server.stop()


def proxy_config(server, *args, check=True):
    result = subprocess.run([fairway_binary(), "proxy-config", *args, "--server", server.admin_url],
                            capture_output=True, text=True, timeout=30)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def table(text):
    lines = text.strip().splitlines()
    rows = [[cell.strip() for cell in line.split("   ") if cell.strip()] for line in lines]
    return rows[0], rows[1:]


def test_clusters_are_what_the_stream_got(mesh):
    server, sent = mesh
    header, rows = table(proxy_config(server, "clusters", SIDECAR).stdout)
    assert header == ["SERVICE FQDN", "PORT", "SUBSET", "DIRECTION", "TYPE", "DESTINATION RULE"]
    names = set()
    for row in rows:
        if len(row) >= 5 and row[3] == "outbound":
            subset = "" if row[2] == "-" else row[2]
            names.add(f"outbound|{row[1]}|{subset}|{row[0]}")
    assert names == {name for name in sent[CDS] if name.startswith("outbound|")}
    v1 = [row for row in rows if row[:3] == [REVIEWS, "9080", "v1"]]
    assert v1 == [[REVIEWS, "9080", "v1", "outbound", "EDS", "reviews.default"]]

    filtered = table(proxy_config(server, "clusters", SIDECAR, "--fqdn", REVIEWS, "--subset", "v2").stdout)[1]
    assert [row[2] for row in filtered] == ["v2"]


def test_endpoints_with_health(mesh):
    server, sent = mesh
    header, rows = table(proxy_config(server, "endpoints", SIDECAR, "--subset", "v1").stdout)
    assert header == ["ENDPOINT", "STATUS", "OUTLIER CHECK", "CLUSTER"]
    assignment = sent[EDS][f"outbound|9080|v1|{REVIEWS}"]
    expected = sorted(
        f"{lb.endpoint.address.socket_address.address}:{lb.endpoint.address.socket_address.port_value}"
        for locality in assignment.endpoints for lb in locality.lb_endpoints)
    assert sorted(row[0] for row in rows) == expected == ["10.1.0.1:9080"]
    assert all(row[1] == "HEALTHY" and row[3] == f"outbound|9080|v1|{REVIEWS}" for row in rows)


def test_routes_name_the_virtual_service_and_destinations(mesh):
    server, sent = mesh
    header, rows = table(proxy_config(server, "routes", SIDECAR, "--name", "9080").stdout)
    assert header == ["NAME", "VHOST NAME", "DOMAINS", "MATCH", "VIRTUAL SERVICE", "DESTINATION"]
    reviews = [row for row in rows if row[1] == f"{REVIEWS}:9080"]
    assert len(reviews) == 1
    assert reviews[0][3:] == ["/*", "reviews.default",
                              f"outbound|9080|v1|{REVIEWS} 70%, outbound|9080|v2|{REVIEWS} 30%"]
    vhosts = {vhost.name for vhost in sent[RDS]["9080"].virtual_hosts if vhost.name != "allow_any"}
    assert {row[1] for row in rows} == vhosts


def test_listeners_json_is_the_sent_listeners(mesh):
    server, sent = mesh
    listeners = json.loads(proxy_config(server, "listeners", SIDECAR, "-o", "json").stdout)
    assert sorted(listener["name"] for listener in listeners) == sorted(sent[LDS])
    header, rows = table(proxy_config(server, "listeners", SIDECAR, "--port", "15001").stdout)
    assert header == ["ADDRESSES", "PORT", "MATCH", "DESTINATION"]
    assert rows == [["0.0.0.0", "15001", "ALL", "PassthroughCluster"]]


def test_hypothetical_proxy_from_namespace_and_labels(mesh):
    server, _ = mesh
    out = proxy_config(server, "listeners", "--namespace", "default", "--labels", "app=reviews,version=v1",
                       "--ip", "10.1.0.1").stdout
    assert ["0.0.0.0", "15006", "Addr: *:9080", "Inline Route: /*"] in table(out)[1]
    yaml_out = proxy_config(server, "clusters", "--namespace", "default", "-o", "yaml").stdout
    assert f"name: outbound|9080|v1|{REVIEWS}" in yaml_out


def test_unknown_proxy_and_bad_usage(mesh):
    server, _ = mesh
    missing = proxy_config(server, "clusters", "sidecar~1.1.1.1~nobody.default~default.svc.cluster.local",
                           check=False)
    assert missing.returncode == 1 and "no connected proxy" in missing.stderr
    neither = proxy_config(server, "clusters", check=False)
    assert neither.returncode == 1 and "PROXY_ID" in neither.stderr
    wrong = proxy_config(server, "secrets", SIDECAR, check=False)
    assert wrong.returncode == 1


def test_shell_completion_lists_connected_proxies(mesh):
    server, _ = mesh
    script = subprocess.run([fairway_binary(), "--generate-completion-script", "bash"],
                            capture_output=True, text=True, timeout=30)
    assert script.returncode == 0
    assert "proxy-config" in script.stdout and "analyze" in script.stdout
    assert "---completion proxy-config" in script.stdout
    # What the bash script runs for `fairway proxy-config --server URL clusters side<TAB>`.
    words = ["fairway", "proxy-config", "--server", server.admin_url, "clusters", "side"]
    completion = subprocess.run(
        [fairway_binary(), "---completion", "proxy-config", "--", "positional@1", "5", "4", *words],
        capture_output=True, text=True, timeout=30)
    assert completion.returncode == 0, completion.stderr
    assert completion.stdout.split() == [SIDECAR]
