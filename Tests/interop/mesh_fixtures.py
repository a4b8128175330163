"""Istio YAML for the ADS protocol tests, written as users write it."""

REVIEWS = "reviews.default.svc.cluster.local"
REVIEWS_CLUSTER = f"outbound|9080||{REVIEWS}"
REVIEWS_V1 = f"outbound|9080|v1|{REVIEWS}"
SIDECAR = "sidecar~10.0.0.9~productpage-v1-123.default~default.svc.cluster.local"

BASE = f"""apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: reviews, namespace: default}}
spec:
  hosts: [{REVIEWS}]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{{number: 9080, name: http, protocol: HTTP}}]
  workloadSelector: {{labels: {{app: reviews}}}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {{name: reviews-1, namespace: default}}
spec: {{address: 10.1.0.1, labels: {{app: reviews, version: v1}}}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {{name: reviews-2, namespace: default}}
spec: {{address: 10.1.0.2, labels: {{app: reviews, version: v2}}}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: reviews, namespace: default}}
spec:
  host: {REVIEWS}
  subsets:
  - {{name: v1, labels: {{version: v1}}}}
  - {{name: v2, labels: {{version: v2}}}}
"""


def ratings(port: int = 9080) -> str:
    return f"""apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: ratings, namespace: default}}
spec:
  hosts: [ratings.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{{number: {port}, name: http, protocol: HTTP}}]
  endpoints: [{{address: 10.2.0.1}}]
"""


def workload(name: str, address: str, version: str = "v1") -> str:
    return f"""apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {{name: {name}, namespace: default}}
spec: {{address: {address}, labels: {{app: reviews, version: {version}}}}}
"""


def reviews_rule(lb: str) -> str:
    return f"""apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: reviews, namespace: default}}
spec:
  host: {REVIEWS}
  trafficPolicy: {{loadBalancer: {{simple: {lb}}}}}
  subsets:
  - {{name: v1, labels: {{version: v1}}}}
  - {{name: v2, labels: {{version: v2}}}}
"""
