"""`fairway serve --store etcd://...` against an etcd that requires mTLS, and one with user auth."""

import pathlib
import subprocess

import pytest

from etcd_server import EtcdServer
from fairway_server import FairwayServer, fairway_binary, free_port
from mesh_fixtures import workload
from test_tls import make_ca, make_leaf


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("etcd-pki")
    ca = make_ca(d, "etcd-ca")
    return {
        "ca": ca,
        "server": make_leaf(d, "etcd", ca, "IP:127.0.0.1,DNS:localhost"),
        "client": make_leaf(d, "fairway", ca, None),
    }


def refused_start(*args: str) -> str:
    """Runs `fairway serve` expecting it to give up on etcd; returns what it printed."""
    out = subprocess.run(
        [fairway_binary(), "serve", "--ads-port", str(free_port()), "--admin-port", str(free_port()),
         "--etcd-start-timeout-seconds", "2", *args],
        capture_output=True, text=True, timeout=60)
    assert out.returncode != 0, out.stdout + out.stderr
    return out.stdout + out.stderr


def test_mtls_to_etcd(pki):
    etcd = EtcdServer(tls={"cert": pki["server"][0], "key": pki["server"][1], "ca": pki["ca"][0]})
    try:
        replica = FairwayServer("--store", etcd.url, "--etcd-ca", str(pki["ca"][0]),
                                "--etcd-cert", str(pki["client"][0]), "--etcd-key", str(pki["client"][1]))
        try:
            replica.apply(workload("over-tls", "10.5.0.1"), wait=False)
            stored = etcd.etcdctl("get", "--prefix", "/fairway/configs/", "--keys-only", tls_client=pki["client"])
            assert "/fairway/configs/WorkloadEntry/default/over-tls" in stored
        finally:
            replica.stop()
        # Without a client certificate etcd refuses the connection: the start fails, saying why.
        printed = refused_start("--store", etcd.url, "--etcd-ca", str(pki["ca"][0]))
        assert "etcd" in printed and "unreachable" in printed, printed
    finally:
        etcd.close()


def test_user_auth_to_etcd(tmp_path):
    etcd = EtcdServer()
    try:
        etcd.etcdctl("user", "add", "root", "--new-user-password=s3cret")
        etcd.etcdctl("auth", "enable")
        password = tmp_path / "password"
        password.write_text("s3cret\n")
        replica = FairwayServer("--store", etcd.url, "--etcd-user", "root", "--etcd-password-file", str(password))
        try:
            result = replica.apply(workload("with-auth", "10.5.0.2"), wait=False)
            assert result["results"][0]["action"] == "created"
            assert "with-auth" in str(replica.get_json("/debug/configz"))
        finally:
            replica.stop()
        wrong = tmp_path / "wrong"
        wrong.write_text("nope\n")
        printed = refused_start("--store", etcd.url, "--etcd-user", "root", "--etcd-password-file", str(wrong))
        assert "etcd" in printed, printed
        assert "authentication failed" in printed or "auth" in printed.lower(), printed
    finally:
        etcd.close()
