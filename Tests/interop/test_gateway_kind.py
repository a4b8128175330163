"""The Gateway kind through the admin API, /debug/configz and the CLI (no Envoy needed)."""

from __future__ import annotations

import json
import subprocess

import pytest

from fairway_server import FairwayServer, fairway_binary

GATEWAY = """
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: ingress, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 8080, name: http, protocol: HTTP}
    hosts: ["*/bookinfo.example.com"]
"""


@pytest.fixture()
def server():
    s = FairwayServer()
    yield s
    s.stop()


def cli(server: FairwayServer, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([fairway_binary(), *args, "--server", server.admin_url],
                          capture_output=True, text=True, timeout=30)


def test_gateway_crud_configz_and_cli(server):
    server.apply(GATEWAY)
    stored = server.get_json("/apis/networking.istio.io/v1/namespaces/istio-system/gateways/ingress")
    assert stored["kind"] == "Gateway"
    assert stored["spec"]["servers"][0]["port"]["number"] == 8080
    listed = server.get_json("/apis/networking.istio.io/v1/gateways")
    assert [item["metadata"]["name"] for item in listed["items"]] == ["ingress"]
    assert "Gateway" in json.dumps(server.get_json("/debug/configz"))

    table = cli(server, "get", "gw", "-n", "istio-system")
    assert table.returncode == 0, table.stderr
    assert "ingress" in table.stdout

    # A bad Gateway: 422 naming the fields, nothing stored.
    bad = GATEWAY.replace("name: ingress", "name: bad").replace(
        "protocol: HTTP}", "protocol: HTTPS}\n    tls: {mode: SIMPLE, credentialName: secret}")
    status, body = server.request("POST", "/apply", bad.encode())
    assert status == 422, body
    fields = {d.get("field") or d.get("fieldPath") for d in json.loads(body)["details"]}
    assert "spec.servers[0].tls.credentialName" in fields, body
    assert "spec.servers[0].tls.serverCertificate" in fields, body
    status, _ = server.request("GET", "/apis/networking.istio.io/v1/namespaces/istio-system/gateways/bad")
    assert status == 404

    deleted = cli(server, "delete", "gateway", "ingress", "-n", "istio-system")
    assert deleted.returncode == 0, deleted.stderr
    status, _ = server.request("GET", "/apis/networking.istio.io/v1/namespaces/istio-system/gateways/ingress")
    assert status == 404
