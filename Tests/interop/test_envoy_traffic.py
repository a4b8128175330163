"""Real traffic through a real Envoy sidecar, intercepted as Istio does, for each HTTP routing
feature of a VirtualService: what the requests do, not what the config says. The mesh (one
Fairway, the pods) is shared with test_envoy_traffic_upstream.py; see traffic_mesh.py."""

from __future__ import annotations

import json
import time

from traffic_mesh import (MIRROR, REVIEWS, REVIEWS_URL, binomial_bounds, reviews_rule,
                          virtual_service)


def served(responses: list[dict]) -> list[str | None]:
    return [r.get("served_by") or r.get("headers", {}).get("x-served-by") for r in responses]


def reviews_vs(http_yaml: str) -> str:
    return virtual_service("reviews", http_yaml)


def route_to(subset: str, extra: str = "") -> str:
    """One http route entry (list item) to a reviews subset with extra YAML keys (flow style)."""
    return f"  - {{route: [{{destination: {{host: {REVIEWS}, subset: {subset}}}}}]{extra}}}\n"


def test_matches_on_path_header_method_and_query_and_the_rest_falls_through(traffic):
    def matched(name: str, match: str) -> str:
        return (f"  - name: {name}\n    match: [{match}]\n"
                f"    headers: {{response: {{set: {{x-matched: {name}}}}}}}\n"
                f"    route: [{{destination: {{host: {REVIEWS}, subset: v2}}}}]\n")
    traffic.apply(reviews_rule(), reviews_vs(
        matched("exact", "{uri: {exact: /exact}}")
        + matched("prefix", "{uri: {prefix: /pre/}}")
        + matched("regex", "{uri: {regex: '/re/[0-9]+'}}")
        + matched("header", "{headers: {x-route: {exact: canary}}}")
        + matched("header-prefix", "{headers: {x-user: {prefix: test-}}}")
        + matched("method", "{method: {exact: POST}}")
        + matched("query", "{queryParams: {flavor: {exact: blue}}}")
        + route_to("v1")))
    cases = [
        ("GET", "/exact", {}, "exact"), ("GET", "/exact/more", {}, None),
        ("GET", "/pre/x", {}, "prefix"), ("GET", "/prefix", {}, None),
        ("GET", "/re/123", {}, "regex"), ("GET", "/re/abc", {}, None),
        ("GET", "/x", {"x-route": "canary"}, "header"), ("GET", "/x", {"x-route": "other"}, None),
        ("GET", "/x", {"x-user": "test-7"}, "header-prefix"), ("GET", "/x", {"x-user": "prod-7"}, None),
        ("POST", "/x", {}, "method"), ("PUT", "/x", {}, None),
        ("GET", "/x?flavor=blue", {}, "query"), ("GET", "/x?flavor=red", {}, None),
        ("GET", "/other", {}, None),
    ]
    seen = []
    for method, path, headers, _ in cases:
        response = traffic.get(REVIEWS_URL + path, method=method, headers=headers)
        assert response["status"] == 200, response
        body = json.loads(response["body"])
        assert body["path"] == path and body["method"] == method
        seen.append((response["headers"].get("x-matched"), response["headers"]["x-served-by"]))
    expected = [(name, "reviews-v2" if name else "reviews-v1") for *_, name in cases]
    assert seen == expected

    # Without a catch-all route, what matches nothing gets Envoy's 404 (as with Istio).
    traffic.apply(reviews_vs(matched("exact", "{uri: {exact: /exact}}")))
    assert traffic.get(REVIEWS_URL + "/exact")["status"] == 200
    assert traffic.get(REVIEWS_URL + "/nothing")["status"] == 404


def test_weighted_subsets_split_as_configured(traffic):
    traffic.apply(reviews_rule(), reviews_vs(
        f"  - route:\n    - {{destination: {{host: {REVIEWS}, subset: v1}}, weight: 80}}\n"
        f"    - {{destination: {{host: {REVIEWS}, subset: v2}}, weight: 20}}\n"))
    n = 400
    responses = traffic.many(REVIEWS_URL + "/split", n, compact=True)
    assert all(r["status"] == 200 for r in responses), responses[:3]
    v2 = served(responses).count("reviews-v2")
    lo, hi = binomial_bounds(n, 0.2)
    print(f"80/20 split over {n}: v2 {v2} (allowed {lo}..{hi})")
    assert served(responses).count("reviews-v1") == n - v2
    assert lo <= v2 <= hi


def test_retries_recover_a_failing_backend_and_attempts_zero_turns_them_off(traffic):
    b1 = traffic.b1

    def attempts(key: str) -> int:
        return len(traffic.backend_log(b1, 9080, key))

    def call(fail_first: int) -> tuple[int, str]:
        key = traffic.key()
        response = traffic.get(REVIEWS_URL + "/retry",
                               headers={"x-backend-fail-first": str(fail_first), "x-backend-key": key})
        return response["status"], key

    traffic.apply(reviews_rule(), reviews_vs(route_to("v1", ", retries: {attempts: 3, retryOn: 5xx}")))
    status, key = call(2)
    assert (status, attempts(key)) == (200, 3)
    status, key = call(5)  # more failures than attempts: the last 503 reaches the client
    assert (status, attempts(key)) == (503, 4)

    # No retries section: Istio's default policy retries a 503 twice.
    traffic.apply(reviews_vs(route_to("v1")))
    status, key = call(2)
    assert (status, attempts(key)) == (200, 3)

    traffic.apply(reviews_vs(route_to("v1", ", retries: {attempts: 0}")))
    status, key = call(1)
    assert (status, attempts(key)) == (503, 1)


def test_route_timeout_answers_504_after_the_timeout(traffic):
    traffic.apply(reviews_rule(), reviews_vs(route_to("v1", ", timeout: 0.3s, retries: {attempts: 0}")))
    slow = {"x-backend-delay-ms": "700"}
    response = traffic.get(REVIEWS_URL + "/slow", headers=slow)
    assert response["status"] == 504, response
    assert 0.28 <= response["seconds"] < 0.6, response["seconds"]
    fast = traffic.get(REVIEWS_URL + "/fast")
    assert fast["status"] == 200

    # Istio's default is no timeout at all (Envoy's own default would be 15 s).
    traffic.apply(reviews_vs(route_to("v1")))
    response = traffic.get(REVIEWS_URL + "/slow", headers=slow)
    assert response["status"] == 200 and response["seconds"] >= 0.7


def test_fault_abort_answers_the_status_for_the_percentage(traffic):
    traffic.apply(reviews_rule(), reviews_vs(
        route_to("v1", ", fault: {abort: {httpStatus: 418, percentage: {value: 100}}}")))
    key = traffic.key()
    responses = traffic.many(REVIEWS_URL + "/abort", 10, headers={"x-backend-key": key})
    assert [r["status"] for r in responses] == [418] * 10
    assert traffic.backend_log(traffic.b1, 9080, key) == []  # aborted before the upstream

    traffic.apply(reviews_vs(route_to("v1", ", fault: {abort: {httpStatus: 418, percentage: {value: 30}}}")))
    key = traffic.key()
    n = 300
    responses = traffic.many(REVIEWS_URL + "/abort", n, headers={"x-backend-key": key}, compact=True)
    statuses = [r["status"] for r in responses]
    aborted = statuses.count(418)
    lo, hi = binomial_bounds(n, 0.3)
    print(f"abort 30% over {n}: {aborted} aborted (allowed {lo}..{hi})")
    assert statuses.count(200) == n - aborted
    assert lo <= aborted <= hi
    assert len(traffic.backend_log(traffic.b1, 9080, key)) == n - aborted


def test_fault_delay_holds_requests_for_the_fixed_delay(traffic):
    traffic.apply(reviews_rule(), reviews_vs(
        route_to("v1", ", fault: {delay: {fixedDelay: 0.4s, percentage: {value: 100}}}")))
    delayed = traffic.many(REVIEWS_URL + "/delay", 3, compact=True)
    # Envoy's timer may fire a few ms before the client's clock says 0.4 s.
    assert all(r["status"] == 200 and 0.38 <= r["seconds"] < 1.0 for r in delayed), delayed
    traffic.apply(reviews_vs(route_to("v1")))
    quick = traffic.many(REVIEWS_URL + "/delay", 3, compact=True)
    assert all(r["status"] == 200 and r["seconds"] < 0.3 for r in quick), quick


def test_mirror_sends_copies_to_the_mirror_with_the_shadow_host(traffic):
    traffic.apply(reviews_rule(), reviews_vs(
        route_to("v1", f", mirror: {{host: {MIRROR}}}, mirrorPercentage: {{value: 100}}")))
    key = traffic.key()
    responses = traffic.many(REVIEWS_URL + "/mirrored", 5, headers={"x-backend-key": key})
    assert [r["headers"]["x-served-by"] for r in responses] == ["reviews-v1"] * 5
    deadline = time.monotonic() + 5
    while len(traffic.backend_log(traffic.b3, 9080, key)) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    copies = traffic.backend_log(traffic.b3, 9080, key)
    assert len(copies) == 5 and len(traffic.backend_log(traffic.b1, 9080, key)) == 5
    assert all(c["path"] == "/mirrored" for c in copies)
    hosts = {c["headers"]["host"] for c in copies}
    assert hosts == {"240.240.0.10-shadow:9080"}, hosts


def test_rewrite_changes_the_path_and_host_the_backend_sees(traffic):
    traffic.apply(reviews_rule(), reviews_vs(
        f"  - match: [{{uri: {{prefix: /old/}}}}]\n"
        f"    rewrite: {{uri: /new/, authority: rewritten.example}}\n"
        f"    route: [{{destination: {{host: {REVIEWS}, subset: v1}}}}]\n" + route_to("v2")))
    body = json.loads(traffic.get(REVIEWS_URL + "/old/page?q=1")["body"])
    assert (body["backend"], body["path"], body["headers"]["host"]) == ("reviews-v1", "/new/page?q=1",
                                                                       "rewritten.example")
    other = json.loads(traffic.get(REVIEWS_URL + "/older")["body"])
    assert (other["backend"], other["path"], other["headers"]["host"]) == ("reviews-v2", "/older",
                                                                          "240.240.0.10:9080")


def test_redirect_answers_3xx_with_location_and_never_reaches_a_backend(traffic):
    traffic.apply(reviews_rule(), reviews_vs(
        "  - match: [{uri: {exact: /redir}}]\n"
        "    redirect: {uri: /moved, authority: elsewhere.example, redirectCode: 302}\n" + route_to("v1")))
    key = traffic.key()
    response = traffic.get(REVIEWS_URL + "/redir", headers={"x-backend-key": key})
    assert response["status"] == 302, response
    assert response["headers"]["location"] in ("http://elsewhere.example/moved", "http://elsewhere.example:9080/moved")
    assert traffic.backend_log(traffic.b1, 9080, key) == []
    assert traffic.get(REVIEWS_URL + "/other")["status"] == 200


def test_cors_preflight_is_answered_with_the_allowed_origin_methods_and_headers(traffic):
    traffic.apply(reviews_rule(), reviews_vs(route_to(
        "v1", ", corsPolicy: {allowOrigins: [{exact: 'https://app.example'}], allowMethods: [GET, PUT],"
              " allowHeaders: [x-custom], exposeHeaders: [x-exposed], maxAge: 60s, allowCredentials: true}")))
    key = traffic.key()
    preflight = {"origin": "https://app.example", "access-control-request-method": "PUT",
                 "access-control-request-headers": "x-custom", "x-backend-key": key}
    response = traffic.get(REVIEWS_URL + "/cors", method="OPTIONS", headers=preflight)
    assert response["status"] == 200, response
    headers = response["headers"]
    assert headers.get("access-control-allow-origin") == "https://app.example", headers
    assert headers.get("access-control-allow-methods") == "GET,PUT"
    assert headers.get("access-control-allow-headers") == "x-custom"
    assert headers.get("access-control-max-age") == "60"
    assert headers.get("access-control-allow-credentials") == "true"
    assert traffic.backend_log(traffic.b1, 9080, key) == []  # Envoy answered the preflight itself

    evil = traffic.get(REVIEWS_URL + "/cors", method="OPTIONS",
                       headers={**preflight, "origin": "https://evil.example"})
    assert "access-control-allow-origin" not in evil["headers"], evil["headers"]
    simple = traffic.get(REVIEWS_URL + "/cors", headers={"origin": "https://app.example"})
    assert simple["status"] == 200
    assert simple["headers"].get("access-control-allow-origin") == "https://app.example"
    assert simple["headers"].get("access-control-expose-headers") == "x-exposed"


def test_header_operations_on_requests_and_responses(traffic):
    traffic.apply(reviews_rule(), reviews_vs(
        f"  - headers:\n"
        f"      request: {{set: {{x-set: new}}, add: {{x-add: added}}, remove: [x-remove]}}\n"
        f"      response: {{set: {{x-resp-set: 'on'}}, add: {{x-resp-add: more}}, remove: [x-served-by]}}\n"
        f"    route:\n"
        f"    - destination: {{host: {REVIEWS}, subset: v1}}\n"
        f"      headers: {{request: {{set: {{x-dest: d1}}}}}}\n"))
    response = traffic.get(REVIEWS_URL + "/headers",
                           headers={"x-set": "old", "x-add": "first", "x-remove": "gone", "x-keep": "kept"})
    assert response["status"] == 200
    seen = json.loads(response["body"])["headers"]
    assert (seen.get("x-set"), seen.get("x-add"), seen.get("x-dest"), seen.get("x-keep")) == \
        ("new", "first, added", "d1", "kept")
    assert "x-remove" not in seen
    assert response["headers"].get("x-resp-set") == "on"
    assert response["headers"].get("x-resp-add") == "more"
    assert "x-served-by" not in response["headers"]


def test_a_weight_change_over_the_admin_api_reaches_traffic(traffic):
    def everything_to(subset: str) -> str:
        return reviews_vs(route_to(subset))
    traffic.apply(reviews_rule(), everything_to("v1"))
    poller = traffic.client.http_poll(REVIEWS_URL + "/switch", duration=3.0, interval=0.002, log="switch.json")
    time.sleep(0.8)
    status, body = traffic.server.request("POST", "/apply", everything_to("v2").encode())
    applied = time.time()
    assert status == 200, body
    poller.wait(timeout=20)
    results = traffic.client.poll_results("switch.json")
    assert all(r["status"] == 200 for r in results), [r for r in results if r["status"] != 200][:3]
    before = [r for r in results if r["t"] < applied]
    assert before and all(r["served_by"] == "reviews-v1" for r in before)
    last_v1 = max(r["t"] for r in results if r["served_by"] == "reviews-v1")
    first_v2 = min(r["t"] for r in results if r["served_by"] == "reviews-v2")
    convergence = last_v1 - applied
    print(f"weight change: apply 2xx -> last v1 {convergence * 1000:.0f} ms, first v2 "
          f"{(first_v2 - applied) * 1000:.0f} ms ({len(results)} requests)")
    assert convergence < 2.0
    assert results[-1]["served_by"] == "reviews-v2"
    traffic._wait_acked()
