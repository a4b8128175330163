"""GET / in a real browser (headless Chromium from Debian) against Fairway with live ADS streams."""

import os
import pathlib
import shutil
import subprocess
import urllib.error
import urllib.request

import pytest

from ads_client import CDS, EDS, LDS, RDS, ADSStream, make_node
from fairway_server import FairwayServer
from mesh_fixtures import BASE, REVIEWS_CLUSTER, SIDECAR, ratings, reviews_rule

HOSTILE = '<script>alert("nack")</script> & cluster outbound|9080||reviews: unsupported lb_policy'
ROUTER = "router~10.0.0.20~ingressgateway-7d9f.istio-system~istio-system.svc.cluster.local"
RATINGS = "sidecar~10.0.0.11~ratings-v1-5f7c.default~default.svc.cluster.local"
DETAILS = "sidecar~10.0.0.12~details-v1-6c2b.default~default.svc.cluster.local"
GRPC = "sidecar~10.0.0.13~checkout-84d1.shop~shop.svc.cluster.local"

VIRTUAL_SERVICE = """apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews.default.svc.cluster.local]
  http:
  - route:
    - destination: {host: reviews.default.svc.cluster.local, subset: v1}
      weight: 90
    - destination: {host: reviews.default.svc.cluster.local, subset: v2}
      weight: 10
"""


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "chromium missing: run `make deps-debian`"
    return path


def browser(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--disable-dev-shm-usage", "--no-first-run", *args],
        capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def mesh():
    server = FairwayServer("--debounce-quiet-ms", "20")
    streams = []
    try:
        server.apply(BASE)
        server.apply(ratings())
        server.apply(VIRTUAL_SERVICE)

        def sidecar(node_id, namespace="default", generator=None, delta=False):
            s = ADSStream(server.ads_address, make_node(node_id, namespace=namespace, generator=generator), delta=delta)
            streams.append(s)
            return s

        synced = sidecar(SIDECAR)
        for type_url in (CDS, LDS):
            synced.request(type_url)
            synced.ack(synced.receive())
        synced.request(EDS, names=[REVIEWS_CLUSTER])
        synced.ack(synced.receive())
        synced.request(RDS, names=["9080"])
        synced.ack(synced.receive())

        stale = sidecar(DETAILS)
        stale.request(CDS)
        stale.ack(stale.receive())
        stale.request(LDS)
        stale.receive()  # never answered: STALE

        nacking = sidecar(RATINGS)
        nacking.request(CDS)
        first = nacking.receive()
        nacking.ack(first)
        server.apply(reviews_rule("RANDOM"))
        pushed = nacking.receive()
        nacking.request(CDS, nonce=pushed.nonce, version=first.version_info, error=HOSTILE)
        for s in (synced, stale):
            try:
                r = s.receive(timeout=2)
                s.ack(r)
            except Exception:
                pass

        router = sidecar(ROUTER, namespace="istio-system", delta=True)
        router.delta_request(CDS, subscribe=["*"])
        router.ack(router.receive())

        grpc_client = sidecar(GRPC, namespace="shop", generator="grpc")
        grpc_client.request(LDS, names=["reviews.default.svc.cluster.local:9080"])
        grpc_client.receive()
        yield server
    finally:
        for s in streams:
            s.close()
        server.stop()


def fetch(server, path):
    with urllib.request.urlopen(server.admin_url + path, timeout=10) as r:
        return r.status, r.headers["Content-Type"], r.read().decode()


def test_page_is_server_rendered_and_escaped(mesh):
    status, content_type, html = fetch(mesh, "/")
    assert status == 200 and content_type == "text/html; charset=utf-8"
    for proxy in (SIDECAR, RATINGS, DETAILS, ROUTER, GRPC):
        assert proxy in html
    assert '<script>alert("nack")</script>' not in html
    assert "&lt;script&gt;alert(&quot;nack&quot;)&lt;/script&gt; &amp; cluster" in html
    assert 'class="chip error"' in html and 'class="chip synced"' in html and 'class="chip stale"' in html
    # Self-contained: no external stylesheets, scripts, fonts or images.
    assert "http://" not in html.split("<footer>")[0] and "https://" not in html
    assert len(html) < 60_000


def test_config_links_serve_yaml(mesh):
    _, _, html = fetch(mesh, "/")
    link = "/apis/networking.istio.io/v1/namespaces/default/virtualservices/reviews?format=yaml"
    assert f'href="{link}"' in html
    status, content_type, text = fetch(mesh, link)
    assert status == 200 and content_type.startswith("text/plain")
    assert "kind: VirtualService" in text and "weight: 90" in text
    for kind in ("ServiceEntry", "DestinationRule", "WorkloadEntry", "VirtualService"):
        assert f"<h3>{kind} " in html


def test_chromium_renders_page_and_refreshes(mesh, tmp_path):
    dom = browser("--virtual-time-budget=12000", "--dump-dom", mesh.admin_url + "/")
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = dom.stdout
    assert "Connected proxies" in text and "Recent pushes" in text and "Stored configs" in text
    for proxy in (SIDECAR, RATINGS, ROUTER, GRPC):
        assert proxy in text
    # The refresh script ran (it writes the "updated" label) and no script came from a NACK.
    assert 'id="updated">updated ' in text
    assert 'alert("nack")</script>' not in text.replace("&lt;", "<").split("<main")[0]
    assert text.count("<script>") == 1

    shot = pathlib.Path(os.environ.get("FAIRWAY_SCREENSHOT") or tmp_path / "status-page.png")
    shot.parent.mkdir(parents=True, exist_ok=True)
    result = browser("--window-size=1280,900", f"--screenshot={shot}", mesh.admin_url + "/")
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 900)


def test_status_page_needs_the_admin_token_when_one_is_set():
    server = FairwayServer("--admin-token", "s3cret", token="s3cret")
    try:
        req = urllib.request.Request(server.admin_url + "/")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(req, timeout=10)
        assert refused.value.code == 401
        req.add_header("Authorization", "Bearer s3cret")
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200 and "Connected proxies" in r.read().decode()
    finally:
        server.stop()
