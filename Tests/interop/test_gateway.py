"""A real ingress gateway Envoy (`router~` node) configured by Gateway + VirtualServices, and
TLS origination from a sidecar by DestinationRule `tls`, with certificates made by openssl."""

from __future__ import annotations

import json
import pathlib
import sys
import tempfile

import pytest

from fairway_server import FairwayServer
import mesh_net
from mesh_net import Net, node_id
from tls_certs import CertificateAuthority

REASON = mesh_net.namespaces_supported()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"real-Envoy tests: {REASON}")

GATEWAY_IP = "10.77.0.40"


def services() -> str:
    return """
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: web, namespace: default}
spec:
  hosts: [web.default.svc.cluster.local]
  location: MESH_INTERNAL
  ports: [{number: 9080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 10.77.0.41}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api, namespace: default}
spec:
  hosts: [api.default.svc.cluster.local]
  location: MESH_INTERNAL
  ports: [{number: 9080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 10.77.0.42}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: secure, namespace: default}
spec:
  hosts: [secure.default.svc.cluster.local]
  location: MESH_INTERNAL
  ports: [{number: 9443, name: tls, protocol: TLS}]
  resolution: STATIC
  endpoints: [{address: 10.77.0.43}]
"""


def gateway_config(cert: str, key: str) -> str:
    return f"""
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: ingress, namespace: istio-system}}
spec:
  selector: {{istio: ingressgateway}}
  servers:
  - port: {{number: 8080, name: http, protocol: HTTP}}
    hosts: ["*/bookinfo.example.com", "default/merged.example.com"]
  - port: {{number: 8081, name: http-redirect, protocol: HTTP}}
    hosts: [bookinfo.example.com]
    tls: {{httpsRedirect: true}}
  - port: {{number: 8443, name: https, protocol: HTTPS}}
    hosts: [bookinfo.example.com]
    tls: {{mode: SIMPLE, serverCertificate: {cert}, privateKey: {key}}}
  - port: {{number: 8443, name: tls-passthrough, protocol: TLS}}
    hosts: [pass.example.com]
    tls: {{mode: PASSTHROUGH}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: bookinfo, namespace: default}}
spec:
  hosts: [bookinfo.example.com]
  gateways: [istio-system/ingress]
  http:
  - match: [{{uri: {{prefix: /api}}}}]
    route: [{{destination: {{host: api.default.svc.cluster.local, port: {{number: 9080}}}}}}]
  - route: [{{destination: {{host: web.default.svc.cluster.local, port: {{number: 9080}}}}}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: merged-a, namespace: default}}
spec:
  hosts: [merged.example.com]
  gateways: [istio-system/ingress]
  http:
  - route: [{{destination: {{host: web.default.svc.cluster.local}}}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: merged-b, namespace: default}}
spec:
  hosts: [merged.example.com]
  gateways: [istio-system/ingress]
  http:
  - match: [{{uri: {{prefix: /b}}}}]
    route: [{{destination: {{host: api.default.svc.cluster.local}}}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: passthrough, namespace: default}}
spec:
  hosts: [pass.example.com]
  gateways: [istio-system/ingress]
  tls:
  - match: [{{sniHosts: [pass.example.com], port: 8443}}]
    route: [{{destination: {{host: secure.default.svc.cluster.local, port: {{number: 9443}}}}}}]
"""


def https(pod: mesh_net.Pod, address: str, port: int, sni: str, ca: str, path: str = "/",
          cert: str | None = None, key: str | None = None) -> dict:
    """One HTTPS request from inside `pod` with SNI `sni`, verifying the server against `ca`."""
    spec = json.dumps({"address": address, "port": port, "sni": sni, "ca": ca, "path": path,
                       "cert": cert, "key": key})
    result = pod.exec(sys.executable, str(pathlib.Path(__file__).parent / "mesh_tls_client.py"),
                      input=spec.encode(), check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return json.loads(result.stdout)


def backend(response: dict) -> str | dict:
    return json.loads(response["body"])["backend"] if response["status"] == 200 else response


@pytest.fixture()
def server():
    mesh_net.remove_leftovers()
    s = FairwayServer()
    yield s
    s.stop()


@pytest.fixture()
def certs():
    with tempfile.TemporaryDirectory(prefix="fairway-gw-") as directory:
        yield CertificateAuthority(pathlib.Path(directory))


def test_ingress_gateway_http_https_redirect_passthrough_and_merge(server, certs):
    gw_cert, gw_key = certs.issue("bookinfo", ["bookinfo.example.com"])
    pass_cert, pass_key = certs.issue("pass", ["pass.example.com"])
    server.apply(services())
    server.apply(gateway_config(gw_cert, gw_key))
    with Net(server.ads_port) as net:
        net.backend_pods((("web", "10.77.0.41"), ("api", "10.77.0.42")), 9080)
        secure = net.pod("secure", "10.77.0.43")
        secure.python("mesh_tls_backend.py", "secure", "9443", pass_cert, pass_key, log="tls.log")
        secure.wait_listening(9443, "10.77.0.43")
        gw_pod = net.pod("ingress", GATEWAY_IP)
        gateway = gw_pod.start_sidecar(
            node_id("router", GATEWAY_IP, "ingress-1", "istio-system"), namespace="istio-system",
            labels="istio=ingressgateway", interception=False)
        gateway.wait_synced(("cluster_manager.cds", "listener_manager.lds"))
        gw_pod.wait_listening(8080, GATEWAY_IP, timeout=20)
        gw_pod.wait_listening(8443, GATEWAY_IP, timeout=20)
        client = net.pod("outside", "10.77.0.50")

        # Plain HTTP by host and path.
        url = f"http://{GATEWAY_IP}:8080"
        assert backend(client.http(f"{url}/", headers={"host": "bookinfo.example.com"})) == "web"
        assert backend(client.http(f"{url}/api/v1", headers={"host": "bookinfo.example.com"})) == "api"
        assert client.http(f"{url}/", headers={"host": "unknown.example.com"})["status"] == 404

        # Two VirtualServices for one host, merged: merged-b's /b is not shadowed by merged-a's
        # catch-all (istiod moves catch-all routes last).
        assert backend(client.http(f"{url}/b/x", headers={"host": "merged.example.com"})) == "api"
        assert backend(client.http(f"{url}/other", headers={"host": "merged.example.com"})) == "web"

        # httpsRedirect: 301 to https.
        redirected = client.http(f"http://{GATEWAY_IP}:8081/page", headers={"host": "bookinfo.example.com"})
        assert redirected["status"] == 301, redirected
        assert redirected["headers"]["location"].startswith("https://bookinfo.example.com"), redirected

        # HTTPS terminated with the openssl certificate; the client verifies it.
        terminated = https(client, GATEWAY_IP, 8443, "bookinfo.example.com", certs.cert, "/api/x")
        assert backend(terminated) == "api", terminated
        assert terminated["peer_subject"] == "bookinfo.example.com"
        assert backend(https(client, GATEWAY_IP, 8443, "bookinfo.example.com", certs.cert, "/")) == "web"

        # SNI passthrough: the backend's own certificate reaches the client.
        passed = https(client, GATEWAY_IP, 8443, "pass.example.com", certs.cert, "/p")
        assert backend(passed) == "secure", passed
        assert passed["peer_subject"] == "pass.example.com"
        assert json.loads(passed["body"])["path"] == "/p"

        # Names as istiod gives them.
        dump = gateway.config_dump()
        text = json.dumps(dump)
        for name in ("0.0.0.0_8080", "0.0.0.0_8081", "0.0.0.0_8443", "http.8080", "http.8081",
                     "https.8443.https.ingress.istio-system", "bookinfo.example.com:8080",
                     "merged.example.com:8080"):
            assert f'"{name}"' in text, name
        assert gateway.rejections() == {}, gateway.logs()


def tls_origination_mesh(mode_block: str) -> str:
    return f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: secure-api, namespace: default}}
spec:
  hosts: [secure.mesh.local]
  addresses: [240.240.0.50]
  location: MESH_EXTERNAL
  ports: [{{number: 80, name: http, protocol: HTTP, targetPort: 8443}}]
  resolution: STATIC
  endpoints: [{{address: 10.77.0.61}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: secure-api, namespace: default}}
spec:
  host: secure.mesh.local
  trafficPolicy:
{mode_block}
"""


def test_destination_rule_tls_originates_simple_and_mutual(server, certs):
    backend_cert, backend_key = certs.issue("secure-mesh", ["secure.mesh.local"])
    client_cert, client_key = certs.issue("client", ["client.default"], client=True)
    server.apply(tls_origination_mesh("    tls: {mode: DISABLE}"))
    with Net(server.ads_port) as net:
        simple = net.pod("secure-api", "10.77.0.61")
        simple.python("mesh_tls_backend.py", "secure-api", "8443", backend_cert, backend_key, log="tls.log")
        simple.wait_listening(8443, "10.77.0.61")
        client, sidecar = net.client_with_sidecar("caller", "10.77.0.60", "app=caller")
        url = "http://240.240.0.50:80/hello"
        headers = {"host": "secure.mesh.local"}

        # Plaintext to a TLS-only backend fails.
        assert client.http(url, headers=headers)["status"] in (0, 502, 503)

        # SIMPLE with the test CA, SNI and SAN: the call works over plain http from the app.
        before = sidecar.stats("cluster_manager.cds.update_success")["cluster_manager.cds.update_success"]
        server.apply(tls_origination_mesh(f"""    tls:
      mode: SIMPLE
      caCertificates: {certs.cert}
      sni: secure.mesh.local
      subjectAltNames: [secure.mesh.local]"""))
        sidecar.wait_version("cluster_manager.cds.update_success", lambda v: v > before)
        response = client.http(url, headers=headers)
        assert backend(response) == "secure-api", response
        assert json.loads(response["body"])["path"] == "/hello"

        # A SAN the backend does not have: verification fails, so does the call.
        before = sidecar.stats("cluster_manager.cds.update_success")["cluster_manager.cds.update_success"]
        server.apply(tls_origination_mesh(f"""    tls:
      mode: SIMPLE
      caCertificates: {certs.cert}
      subjectAltNames: [other.mesh.local]"""))
        sidecar.wait_version("cluster_manager.cds.update_success", lambda v: v > before)
        assert client.http(url, headers=headers)["status"] in (0, 502, 503)

        # MUTUAL: the backend now requires a client certificate from the test CA.
        simple.close()
        mutual = net.pod("secure-api-m", "10.77.0.62")
        mutual.python("mesh_tls_backend.py", "secure-api-m", "8443", backend_cert, backend_key, certs.cert,
                      log="tls.log")
        mutual.wait_listening(8443, "10.77.0.62")
        mesh = tls_origination_mesh(f"""    tls:
      mode: SIMPLE
      caCertificates: {certs.cert}""").replace("10.77.0.61", "10.77.0.62")
        before = sidecar.stats("cluster_manager.cds.update_success")["cluster_manager.cds.update_success"]
        server.apply(mesh)
        sidecar.wait_version("cluster_manager.cds.update_success", lambda v: v > before)
        # Without a client certificate the handshake is refused.
        assert client.http(url, headers=headers)["status"] in (0, 502, 503)
        before = sidecar.stats("cluster_manager.cds.update_success")["cluster_manager.cds.update_success"]
        server.apply(tls_origination_mesh(f"""    tls:
      mode: MUTUAL
      caCertificates: {certs.cert}
      clientCertificate: {client_cert}
      privateKey: {client_key}
      sni: secure.mesh.local""").replace("10.77.0.61", "10.77.0.62"))
        sidecar.wait_version("cluster_manager.cds.update_success", lambda v: v > before)
        response = client.http(url, headers=headers)
        assert backend(response) == "secure-api-m", response
        assert json.loads(response["body"])["client_subject"] == "client.default"
        assert sidecar.rejections() == {}, sidecar.logs()
