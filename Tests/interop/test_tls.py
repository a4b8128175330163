"""TLS and mTLS on the ADS port with certificates made here by openssl, and a live rotation."""

import pathlib
import ssl
import subprocess
import time

import grpc
import pytest
from envoy.service.discovery.v3 import ads_pb2_grpc, discovery_pb2

from ads_client import CDS, make_node
from fairway_server import FairwayServer, fairway_binary

SIDECAR = "sidecar~10.0.0.5~tls.default~default.svc.cluster.local"


def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def make_ca(d: pathlib.Path, name: str) -> tuple[pathlib.Path, pathlib.Path]:
    key, cert = d / f"{name}.key", d / f"{name}.crt"
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
            "-days", "2", "-subj", f"/CN={name}")
    return cert, key


def make_leaf(d: pathlib.Path, name: str, ca: tuple, san: str | None) -> tuple[pathlib.Path, pathlib.Path]:
    key, csr, cert = d / f"{name}.key", d / f"{name}.csr", d / f"{name}.crt"
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={name}")
    ext = d / f"{name}.ext"
    ext.write_text(f"subjectAltName={san}\n" if san else "extendedKeyUsage=clientAuth\n")
    openssl("x509", "-req", "-in", str(csr), "-CA", str(ca[0]), "-CAkey", str(ca[1]), "-CAcreateserial",
            "-out", str(cert), "-days", "2", "-extfile", str(ext))
    return cert, key


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    ca = make_ca(d, "mesh-ca")
    other_ca = make_ca(d, "other-ca")
    return {
        "dir": d, "ca": ca, "other_ca": other_ca,
        "server": make_leaf(d, "fairway", ca, "IP:127.0.0.1,DNS:localhost"),
        "server2": make_leaf(d, "fairway-rotated", other_ca, "IP:127.0.0.1,DNS:localhost"),
        "client": make_leaf(d, "envoy", ca, None),
        "rogue": make_leaf(d, "rogue", other_ca, None),
    }


def ads_call(address: str, root: pathlib.Path | None, client: tuple | None = None, timeout: float = 5):
    """Opens a stream, asks for CDS, returns the first response or raises grpc.RpcError."""
    if root is None:
        channel = grpc.insecure_channel(address)
    else:
        creds = grpc.ssl_channel_credentials(
            root_certificates=root.read_bytes(),
            private_key=client[1].read_bytes() if client else None,
            certificate_chain=client[0].read_bytes() if client else None)
        channel = grpc.secure_channel(address, creds)
    try:
        stub = ads_pb2_grpc.AggregatedDiscoveryServiceStub(channel)
        request = discovery_pb2.DiscoveryRequest(type_url=CDS, node=make_node(SIDECAR))
        responses = stub.StreamAggregatedResources(iter([request]), timeout=timeout)
        return next(responses)
    finally:
        channel.close()


def test_tls_serves_trusting_clients_and_refuses_plaintext(pki):
    cert, key = pki["server"]
    server = FairwayServer("--tls-cert", str(cert), "--tls-key", str(key), ca_file=str(pki["ca"][0]))
    try:
        assert ads_call(server.ads_address, pki["ca"][0]).type_url == CDS
        # The admin port serves the same certificate over HTTPS, and not plain HTTP.
        ok = subprocess.run(["curl", "-sf", "--cacert", str(pki["ca"][0]), f"{server.admin_url}/healthz/ready"],
                            capture_output=True, timeout=20)
        assert ok.returncode == 0, ok.stderr
        plain = subprocess.run(["curl", "-sf", f"http://127.0.0.1:{server.admin_port}/healthz/ready"],
                               capture_output=True, timeout=20)
        assert plain.returncode != 0
        with pytest.raises(grpc.RpcError):
            ads_call(server.ads_address, None)
        with pytest.raises(grpc.RpcError):
            ads_call(server.ads_address, pki["other_ca"][0])
    finally:
        server.stop()


def test_mtls_requires_a_client_certificate_from_the_ca(pki):
    cert, key = pki["server"]
    server = FairwayServer("--tls-cert", str(cert), "--tls-key", str(key), "--client-ca", str(pki["ca"][0]),
                           ca_file=str(pki["ca"][0]))
    try:
        assert ads_call(server.ads_address, pki["ca"][0], pki["client"]).type_url == CDS
        with pytest.raises(grpc.RpcError):
            ads_call(server.ads_address, pki["ca"][0])  # no client certificate
        with pytest.raises(grpc.RpcError):
            ads_call(server.ads_address, pki["ca"][0], pki["rogue"])  # signed by another CA
    finally:
        server.stop()


def test_rotated_certificate_is_served_without_restart(pki, tmp_path):
    d = tmp_path
    cert, key = d / "tls.crt", d / "tls.key"
    cert.write_bytes(pki["server"][0].read_bytes())
    key.write_bytes(pki["server"][1].read_bytes())
    server = FairwayServer("--tls-cert", str(cert), "--tls-key", str(key), "--tls-reload-seconds", "1",
                           ca_file=str(pki["ca"][0]))
    try:
        assert ads_call(server.ads_address, pki["ca"][0]).type_url == CDS
        cert.write_bytes(pki["server2"][0].read_bytes())
        key.write_bytes(pki["server2"][1].read_bytes())
        deadline = time.monotonic() + 10
        while True:
            try:
                assert ads_call(server.ads_address, pki["other_ca"][0], timeout=2).type_url == CDS
                break
            except grpc.RpcError:
                assert time.monotonic() < deadline, "rotated certificate not served within 10 s"
                time.sleep(0.5)
        assert server.process.poll() is None, "served by the same process, no restart"
        server._ssl = ssl.create_default_context(cafile=str(pki["other_ca"][0]))
        assert server.request("GET", "/healthz/ready")[0] == 200, "admin port rotated too"
    finally:
        server.stop()


def test_half_tls_configuration_is_refused():
    out = subprocess.run([fairway_binary(), "serve", "--tls-cert", "x.pem"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 1 and "--tls-cert and --tls-key go together" in out.stderr
