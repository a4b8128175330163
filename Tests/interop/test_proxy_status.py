"""`fairway proxy-status` against a running server with real ADS streams, one of them NACKing."""

import json
import subprocess

import pytest

from ads_client import CDS, EDS, LDS, ADSStream, make_node
from fairway_server import FairwayServer, fairway_binary
from mesh_fixtures import BASE, REVIEWS_CLUSTER, SIDECAR

GOOD = SIDECAR
BAD = "sidecar~10.0.0.7~ratings-v1-9.default~default.svc.cluster.local"
DELTA = "router~10.0.0.8~gateway-1.istio-system~istio-system.svc.cluster.local"


@pytest.fixture(scope="module")
def mesh():
    server = FairwayServer("--debounce-quiet-ms", "20")
    server.apply(BASE)
    streams = []
    try:
        good = ADSStream(server.ads_address, make_node(GOOD))
        streams.append(good)
        for type_url in (CDS, LDS):
            good.request(type_url)
            good.ack(good.receive())
        good.request(EDS, names=[REVIEWS_CLUSTER])
        eds = good.receive()
        assert eds.type_url == EDS

        bad = ADSStream(server.ads_address, make_node(BAD))
        streams.append(bad)
        bad.request(CDS)
        response = bad.receive()
        bad.request(CDS, nonce=response.nonce, error="cluster outbound|9080||reviews: unsupported lb_policy")
        bad.expect_nothing(0.3)

        delta = ADSStream(server.ads_address, make_node(DELTA, namespace="istio-system"), delta=True)
        streams.append(delta)
        delta.delta_request(CDS, subscribe=["*"])
        delta.ack(delta.receive())
        delta.expect_nothing(0.3)
        yield server
    finally:
        for s in streams:
            s.close()
        server.stop()


def proxy_status(server, *args, check=True):
    result = subprocess.run([fairway_binary(), "proxy-status", "--server", server.admin_url, *args],
                            capture_output=True, text=True, timeout=30)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def rows(text: str) -> dict:
    lines = text.strip().splitlines()
    header = lines[0].split()
    assert header == ["NAME", "CLUSTER", "CDS", "LDS", "EDS", "RDS", "DRDS", "STREAM", "VERSION", "AGE"]
    table = {}
    for line in lines[1:]:
        # "NOT SENT" holds a space; columns are separated by at least three.
        cells = [c.strip() for c in line.split("   ") if c.strip()]
        table[cells[0]] = dict(zip(header, cells))
    return table


def test_table_shows_every_stream_with_its_state(mesh):
    out = proxy_status(mesh).stdout
    table = rows(out)
    assert set(table) == {GOOD, BAD, DELTA}
    good = table[GOOD]
    assert (good["CDS"], good["LDS"], good["EDS"], good["RDS"]) == ("SYNCED", "SYNCED", "STALE", "NOT SENT")
    assert good["STREAM"] == "SotW" and good["CLUSTER"] == "Kubernetes"
    assert good["AGE"].endswith("s")
    bad = table[BAD]
    assert (bad["CDS"], bad["LDS"], bad["EDS"], bad["RDS"]) == ("ERROR", "NOT SENT", "NOT SENT", "NOT SENT")
    assert table[DELTA]["STREAM"] == "Delta" and table[DELTA]["CDS"] == "SYNCED"
    print(out)


def test_one_proxy_shows_its_nack_message(mesh):
    out = proxy_status(mesh, BAD).stdout
    assert list(rows(out.split("\n\n")[0])) == [BAD]
    assert "CDS NACK" in out
    assert "cluster outbound|9080||reviews: unsupported lb_policy" in out
    assert "No NACKs." in proxy_status(mesh, GOOD).stdout


def test_json_output_for_scripts(mesh):
    data = json.loads(proxy_status(mesh, "-o", "json").stdout)
    by_name = {entry["name"]: entry for entry in data}
    assert by_name[BAD]["xds"]["cds"]["state"] == "ERROR"
    assert by_name[BAD]["xds"]["cds"]["lastError"] == "cluster outbound|9080||reviews: unsupported lb_policy"
    assert by_name[BAD]["xds"]["cds"]["nacks"] == 1
    assert by_name[GOOD]["xds"]["lds"]["state"] == "SYNCED"
    assert by_name[DELTA]["stream"] == "Delta"
    assert 0 <= by_name[GOOD]["lastPushSecondsAgo"] < 60
    one = json.loads(proxy_status(mesh, BAD, "-o", "json").stdout)
    assert [entry["name"] for entry in one] == [BAD]


def test_unknown_proxy_and_unreachable_server_fail_cleanly(mesh):
    missing = proxy_status(mesh, "sidecar~1.2.3.4~nope.default~default.svc.cluster.local", check=False)
    assert missing.returncode == 1 and "no connected proxy" in missing.stderr
    down = subprocess.run([fairway_binary(), "proxy-status", "--server", "http://127.0.0.1:1"],
                          capture_output=True, text=True, timeout=30)
    assert down.returncode == 1 and "cannot reach" in down.stderr
    assert "Traceback" not in down.stderr and "Fatal" not in down.stderr
