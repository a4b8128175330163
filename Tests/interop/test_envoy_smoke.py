"""A real Envoy sidecar, intercepted as Istio does, sends real requests where the mesh says."""

from __future__ import annotations

import json

import pytest

from fairway_server import FairwayServer
import mesh_net
from mesh_net import Net

REASON = mesh_net.namespaces_supported()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"real-Envoy tests: {REASON}")

MESH = """
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews.default.svc.cluster.local]
  addresses: [240.240.0.10]
  location: MESH_INTERNAL
  ports: [{number: 9080, name: http, protocol: HTTP}]
  resolution: STATIC
  workloadSelector: {labels: {app: reviews}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: reviews-v1, namespace: default}
spec: {address: 10.77.0.21, labels: {app: reviews, version: v1}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: reviews-v2, namespace: default}
spec: {address: 10.77.0.22, labels: {app: reviews, version: v2}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: reviews.default.svc.cluster.local
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews.default.svc.cluster.local]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: reviews.default.svc.cluster.local, subset: v2}}]
  - route: [{destination: {host: reviews.default.svc.cluster.local, subset: v1}}]
"""


@pytest.fixture()
def server():
    mesh_net.remove_leftovers()
    s = FairwayServer()
    yield s
    s.stop()


def test_intercepted_requests_follow_the_virtual_service(server):
    server.apply(MESH)
    with Net(server.ads_port) as net:
        net.backend_pods((("reviews-v1", "10.77.0.21"), ("reviews-v2", "10.77.0.22")), 9080)
        client, sidecar = net.client_with_sidecar("productpage", "10.77.0.30", "app=productpage")
        plain = client.http_many("http://240.240.0.10:9080/reviews", 5,
                                 headers={"host": "reviews.default.svc.cluster.local:9080"})
        assert [json.loads(r["body"])["backend"] if r["status"] == 200 else r for r in plain] == ["reviews-v1"] * 5
        jason = client.http_many("http://240.240.0.10:9080/reviews", 5,
                                 headers={"host": "reviews.default.svc.cluster.local:9080", "end-user": "jason"})
        assert [json.loads(r["body"])["backend"] for r in jason] == ["reviews-v2"] * 5
        assert sidecar.rejections() == {}, sidecar.logs()
