"""Real traffic through real Envoy sidecars for what DestinationRules and ServiceEntries decide:
load balancing, outlier detection, connection pools, DNS endpoints, TCP routes, locality weights
and the inbound side. The mesh is shared with test_envoy_traffic.py (see traffic_mesh.py)."""

from __future__ import annotations

import json
import time
from collections import Counter

from traffic_mesh import (DNS_HOST, ECHO_VIP, FLAKY, FLAKY_URL, LOC_URL, RATINGS_URL, REVIEWS,
                          REVIEWS_URL, binomial_bounds, reviews_rule, virtual_service)


def test_consistent_hash_keeps_each_header_value_on_one_backend(traffic):
    traffic.apply(reviews_rule("{loadBalancer: {consistentHash: {httpHeaderName: x-user}}}"),
                  virtual_service("reviews", f"  - route: [{{destination: {{host: {REVIEWS}}}}}]\n"))
    chosen = {}
    for user in range(24):
        responses = traffic.many(REVIEWS_URL + "/hash", 6, headers={"x-user": f"user-{user}"}, compact=True)
        backends = {r["served_by"] for r in responses}
        assert len(backends) == 1, (user, responses)  # sticky
        chosen[user] = backends.pop()
    # 24 users all on one of two backends would happen with probability 2^-23.
    spread = Counter(chosen.values())
    print(f"consistent hash: 24 users over backends {dict(spread)}")
    assert set(spread) == {"reviews-v1", "reviews-v2"}


def test_outlier_detection_ejects_failing_endpoints(traffic):
    # Two of flaky's three endpoints answer 503 to everything; with retries off every failure
    # reaches the client until outlier detection ejects the endpoint (2 consecutive 5xx).
    traffic.apply(
        f"""apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: flaky, namespace: default}}
spec:
  host: {FLAKY}
  trafficPolicy:
    loadBalancer: {{simple: ROUND_ROBIN}}
    outlierDetection: {{consecutive5xxErrors: 2, interval: 1s, baseEjectionTime: 60s, maxEjectionPercent: 100}}
""", virtual_service("flaky", f"  - route: [{{destination: {{host: {FLAKY}}}}}]\n    retries: {{attempts: 0}}\n"))
    stat = f"cluster.outbound|9080||{FLAKY}.outlier_detection.ejections_active"
    failures, deadline = 0, time.monotonic() + 10
    while traffic.sidecar.stats(r"flaky.*ejections_active").get(stat) != 2:
        assert time.monotonic() < deadline, traffic.sidecar.stats("flaky.*outlier")
        failures += [r["status"] for r in traffic.many(FLAKY_URL + "/od", 3, compact=True)].count(503)
    # Round robin: two failures per bad endpoint, a few more while ejections reach the workers.
    print(f"outlier detection: {failures} failures before both bad endpoints were ejected")
    assert 4 <= failures <= 12
    # Envoy keeps routing to a second ejected host for about a second (envoyproxy/envoy#28304).
    time.sleep(1.5)
    responses = traffic.many(FLAKY_URL + "/od", 30, compact=True)
    # Without panic mode off (Istio's setting), 1 healthy of 3 is below Envoy's default 50%
    # panic threshold and traffic would go to the ejected endpoints again.
    assert [(r["status"], r["served_by"]) for r in responses] == [(200, "reviews-v1")] * 30
    stats = traffic.sidecar.stats(r"outbound\|9080\|\|flaky.*ejections_enforced_consecutive_5xx")
    assert list(stats.values()) == [2], stats


def test_connection_pool_overflow_answers_503_and_counts_it(traffic):
    traffic.apply(
        reviews_rule("{connectionPool: {tcp: {maxConnections: 1}, http: {http1MaxPendingRequests: 1}}}"),
        virtual_service("reviews", f"  - route: [{{destination: {{host: {REVIEWS}, subset: v1}}}}]\n"
                                   f"    retries: {{attempts: 0}}\n"))
    stat = f"cluster.outbound|9080|v1|{REVIEWS}.upstream_rq_pending_overflow"
    before = traffic.sidecar.stats(r"upstream_rq_pending_overflow").get(stat, 0)
    responses = traffic.many(REVIEWS_URL + "/pool", 8, parallel=8, headers={"x-backend-delay-ms": "600"})
    statuses = Counter(r["status"] for r in responses)
    overflowed = [r for r in responses if r["status"] == 503]
    after = traffic.sidecar.stats(r"upstream_rq_pending_overflow").get(stat, 0)
    print(f"connection pool 1+1 with 8 concurrent: {dict(statuses)}, overflow stat +{after - before}")
    assert statuses[200] >= 1 and statuses[503] >= 4, statuses
    assert set(statuses) <= {200, 503}
    assert all(r["headers"].get("x-envoy-overloaded") == "true" for r in overflowed), overflowed[:1]
    assert after - before == len(overflowed)
    # A request on its own still goes through once the pool is free.
    assert traffic.get(REVIEWS_URL + "/pool")["status"] == 200


def test_dns_service_entry_endpoint_is_resolved_inside_the_pod(traffic):
    # The endpoint's host name exists only in the client pod's /etc/hosts (ip netns exec mounts
    # /etc/netns/NS/hosts there): Envoy resolves it there, on its own.
    responses = traffic.many(f"http://{DNS_HOST}:9080/dns", 3)
    assert [r["status"] for r in responses] == [200] * 3, responses
    bodies = [json.loads(r["body"]) for r in responses]
    assert {b["backend"] for b in bodies} == {"dns-backend"}
    assert bodies[0]["headers"]["host"] == f"{DNS_HOST}:9080"
    status, clusters = traffic.sidecar.admin("/clusters")
    lines = [line for line in clusters.decode().splitlines() if f"outbound|9080||{DNS_HOST}::" in line]
    assert any("::10.77.0.23:9082::" in line for line in lines), lines


def test_tcp_routes_split_connections_by_weight(traffic):
    def tcp_vs(routes: str) -> str:
        return virtual_service("echo", routes, kind="tcp")
    traffic.apply(tcp_vs(
        "  - route:\n"
        "    - {destination: {host: echo.default.svc.cluster.local, subset: v1}, weight: 70}\n"
        "    - {destination: {host: echo.default.svc.cluster.local, subset: v2}, weight: 30}\n"))
    n = 200
    answers = traffic.client.tcp_many(ECHO_VIP, 9000, n, "hello")
    names = Counter(answer.split(" ")[0] for answer in answers)
    assert all(answer.endswith(" hello") for answer in answers), answers[:3]
    lo, hi = binomial_bounds(n, 0.3)
    print(f"tcp 70/30 over {n}: {dict(names)} (v2 allowed {lo}..{hi})")
    assert names["echo-v1"] + names["echo-v2"] == n
    assert lo <= names["echo-v2"] <= hi

    traffic.apply(tcp_vs("  - route: [{destination: {host: echo.default.svc.cluster.local, subset: v2}}]\n"))
    assert traffic.client.tcp_many(ECHO_VIP, 9000, 10, "x") == ["echo-v2 x"] * 10


def test_locality_weights_split_traffic(traffic):
    # loc's endpoints: b1 in region1/zone1 with weight 3, b2 in region2/zone2 with weight 1.
    traffic.apply(f"""apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: loc, namespace: default}}
spec:
  host: loc.default.svc.cluster.local
  trafficPolicy: {{loadBalancer: {{simple: ROUND_ROBIN}}}}
""")
    n = 400
    responses = traffic.many(LOC_URL + "/loc", n, compact=True)
    counts = Counter(r["served_by"] for r in responses)
    lo, hi = binomial_bounds(n, 0.25)
    print(f"locality weights 3:1 over {n}: {dict(counts)} (region2 allowed {lo}..{hi})")
    assert counts["reviews-v1"] + counts["reviews-v2"] == n
    assert lo <= counts["reviews-v2"] <= hi


def test_inbound_request_reaches_the_app_through_its_own_sidecar(traffic):
    inbound = traffic.ratings_sidecar
    prefix = "inbound|9080||"

    def counters() -> tuple[int, int]:
        stats = inbound.stats(r"inbound\|9080\|\|\.(downstream_rq_completed|upstream_rq_completed)")
        return stats.get(f"http.{prefix}.downstream_rq_completed", 0), \
            stats.get(f"cluster.{prefix}.upstream_rq_completed", 0)

    before = counters()
    key = traffic.key()
    responses = traffic.many(RATINGS_URL + "/inbound", 5, headers={"x-backend-key": key})
    assert [r["status"] for r in responses] == [200] * 5, responses
    after = counters()
    assert (after[0] - before[0], after[1] - before[1]) == (5, 5)
    seen = traffic.backend_log(traffic.ratings, 9080, key)
    # The app sees its own sidecar's connection from loopback, not the client pod's address.
    assert [r["peer"] for r in seen] == ["127.0.0.1"] * 5, seen
