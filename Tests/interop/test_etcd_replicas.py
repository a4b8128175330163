"""Three `fairway serve --store etcd://...` replicas over one real etcd (issue #23).

The default run is short; `make etcd-replicas` runs the long variants (more changes, more
applies under the kill, a 10 s etcd outage).
"""

from __future__ import annotations

import json
import os
import statistics
import threading
import time

import pytest

from ads_client import CDS, EDS, ADSStream, make_node
from etcd_server import EtcdServer, fairway_replicas
from mesh_fixtures import BASE, REVIEWS_CLUSTER, REVIEWS_V1, SIDECAR, workload

CHANGES = int(os.environ.get("FAIRWAY_ETCD_CHANGES", "5"))
KILL_APPLIES = int(os.environ.get("FAIRWAY_ETCD_KILL_APPLIES", "40"))
OUTAGE_SECONDS = float(os.environ.get("FAIRWAY_ETCD_OUTAGE", "3"))


@pytest.fixture
def etcd():
    server = EtcdServer()
    yield server
    server.close()


@pytest.fixture
def replicas(etcd):
    with fairway_replicas(etcd) as started:
        yield started


def configs(replica) -> dict:
    """name -> resourceVersion of every stored config."""
    return {f"{c['kind']}/{c['metadata']['namespace']}/{c['metadata']['name']}": c["metadata"]["resourceVersion"]
            for c in replica.get_json("/debug/configz")}


def wait_until(condition, timeout: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"{what} not reached in {timeout}s")


def endpoint_addresses(stream, response) -> set:
    cla = stream.resources(response)[REVIEWS_CLUSTER]
    return {e.endpoint.address.socket_address.address for loc in cla.endpoints for e in loc.lb_endpoints}


def subscribe_endpoints(replica):
    stream = ADSStream(replica.ads_address, make_node(SIDECAR))
    stream.request(EDS, names=[REVIEWS_CLUSTER])
    first = stream.receive()
    stream.ack(first)
    return stream, first


def base_on_1_proxy_on_3(one, three):
    """Applies BASE on replica 1, waits until replica 3 holds and pushed it, and connects a
    proxy subscribed to the reviews endpoints to replica 3."""
    one.apply(BASE, wait=False)
    wait_until(lambda: configs(three) == configs(one) and len(configs(one)) == 4, what="BASE on replica 3")
    three.wait_pushed()
    return subscribe_endpoints(three)


def ready(replica) -> int:
    status, _ = replica.request("GET", "/healthz/ready")
    return status


def test_apply_on_replica_1_reaches_a_proxy_on_replica_3(replicas):
    one, two, three = replicas
    stream, first = base_on_1_proxy_on_3(one, three)
    try:
        assert endpoint_addresses(stream, first) == {"10.1.0.1", "10.1.0.2"}
        latencies = []
        for i in range(CHANGES):
            address = f"10.2.{i // 250}.{i % 250 + 1}"
            status, body = one.request("POST", "/apply", workload(f"extra-{i}", address).encode())
            acknowledged = time.monotonic()
            assert status == 200, body
            while True:
                response = stream.receive(timeout=10)
                stream.ack(response)
                if response.type_url == EDS and address in endpoint_addresses(stream, response):
                    break
            latencies.append(time.monotonic() - acknowledged)
        print(f"\napply on replica 1 -> push on replica 3 ({CHANGES} changes, debounce 20 ms): "
              f"p50 {statistics.median(latencies) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms")
        assert max(latencies) < 5
        # Same revisions and resource versions everywhere.
        wait_until(lambda: configs(one) == configs(two) == configs(three), what="equal configs")
        assert one.get_json("/debug/push_status")["lastPush"]["revision"] == int(max(configs(one).values(), key=int))
    finally:
        stream.close()


def test_sigkill_a_replica_under_applies_loses_no_acknowledged_config(replicas):
    one, victim, three = replicas
    victim.apply(BASE)
    # A Delta proxy on the replica about to die learns the clusters and their versions.
    proxy = ADSStream(victim.ads_address, make_node(SIDECAR), delta=True)
    proxy.delta_request(CDS)
    had = {r.name: r.version for r in proxy.receive().resources}
    proxy.close()
    assert REVIEWS_V1 in had
    acknowledged: dict[str, str] = {}
    stop = threading.Event()

    def apply_stream():
        for i in range(KILL_APPLIES * 10):
            if stop.is_set():
                return
            try:
                status, body = victim.request("POST", "/apply", workload(f"k-{i}", f"10.3.{i // 250}.{i % 250 + 1}").encode())
            except Exception:  # the connection dies with the replica: not acknowledged
                return
            if status == 200:
                result = json.loads(body)
                for item in result["results"]:
                    acknowledged[f"WorkloadEntry/default/k-{i}"] = item["resourceVersion"]

    applier = threading.Thread(target=apply_stream)
    applier.start()
    wait_until(lambda: len(acknowledged) >= KILL_APPLIES, timeout=60, what=f"{KILL_APPLIES} applies")
    victim.process.kill()
    victim.process.wait(timeout=10)
    stop.set()
    applier.join(timeout=15)
    assert acknowledged, "no apply was acknowledged"
    for survivor in (one, three):
        wait_until(lambda: set(acknowledged) <= set(configs(survivor)), what="acknowledged configs on a survivor")
    survivors = configs(one)
    assert survivors == configs(three)
    for name, version in acknowledged.items():
        assert survivors[name] == version, name
    print(f"\n{len(acknowledged)} acknowledged applies before SIGKILL, all on both survivors")
    # A SotW proxy moving from replica 1 to replica 3 is offered the same version.
    versions = []
    for replica in (one, three):
        stream = ADSStream(replica.ads_address, make_node(SIDECAR))
        stream.request(CDS)
        versions.append(stream.receive().version_info)
        stream.close()
    assert versions[0] == versions[1]
    # It reconnects to replica 3 with what it has: sent nothing it already has (one version
    # made stale on purpose gets a response, and proves the rest matched).
    stale = dict(had)
    stale[REVIEWS_V1] = "0000000000000000"
    proxy = ADSStream(three.ads_address, make_node(SIDECAR), delta=True)
    try:
        proxy.delta_request(CDS, initial=stale)
        assert [r.name for r in proxy.receive().resources] == [REVIEWS_V1]
    finally:
        proxy.close()


def test_etcd_outage_keeps_serving_refuses_writes_and_converges(etcd, replicas):
    one, two, three = replicas
    stream, first = base_on_1_proxy_on_3(one, three)
    try:
        etcd.stop()
        outage_started = time.monotonic()
        wait_until(lambda: all(ready(r) == 503 for r in replicas), timeout=10, what="not-ready everywhere")
        status, body = one.request("POST", "/apply", workload("during", "10.4.0.1").encode())
        assert status == 503, body
        error = json.loads(body)
        assert "etcd" in error["error"] and "unreachable" in error["error"], error
        # Reads and the connected proxy keep the last state.
        assert len(configs(two)) == 4
        stream.expect_nothing(0.2)
        remaining = OUTAGE_SECONDS - (time.monotonic() - outage_started)
        if remaining > 0:
            time.sleep(remaining)
        for replica in replicas:
            assert replica.process.poll() is None, replica.logs()
        etcd.start()
        wait_until(lambda: all(ready(r) == 200 for r in replicas), timeout=15, what="ready again")
        two.apply(workload("after", "10.4.0.2"), wait=False)
        while True:
            response = stream.receive(timeout=10)
            stream.ack(response)
            if response.type_url == EDS and "10.4.0.2" in endpoint_addresses(stream, response):
                break
        wait_until(lambda: configs(one) == configs(two) == configs(three), what="convergence")
        assert "WorkloadEntry/default/during" not in configs(one)
    finally:
        stream.close()


def test_concurrent_writes_with_one_resource_version_on_two_replicas_one_wins(replicas):
    """Two applies of one object carrying the same resourceVersion, one to each replica at
    once: etcd's compare on the key's mod revision lets exactly one through; the other is a 409
    naming the object and its field, and changes nothing."""
    one, two, _ = replicas
    for round_ in range(CHANGES):
        name = f"race-{round_}"
        created = one.apply(workload(name, "10.6.0.1"), wait=False)["results"][0]["resourceVersion"]
        wait_until(lambda: f"WorkloadEntry/default/{name}" in configs(two), what="the object on replica 2")
        answers: dict[str, tuple[int, bytes]] = {}
        barrier = threading.Barrier(2)

        def write(replica, label: str, address: str):
            text = workload(name, address).replace(
                f"metadata: {{name: {name}, namespace: default}}",
                f"metadata: {{name: {name}, namespace: default, resourceVersion: '{created}'}}")
            assert "resourceVersion" in text
            barrier.wait()
            answers[label] = replica.request("POST", "/apply", text.encode())

        threads = [threading.Thread(target=write, args=(one, "one", "10.6.0.2")),
                   threading.Thread(target=write, args=(two, "two", "10.6.0.3"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        statuses = sorted(status for status, _ in answers.values())
        assert statuses == [200, 409], answers
        [(winner, (_, won))] = [(label, a) for label, a in answers.items() if a[0] == 200]
        [(_, lost)] = [a for a in answers.values() if a[0] == 409]
        error = json.loads(lost)
        assert f"WorkloadEntry/default/{name}" in error["error"] or name in error["error"], error
        assert "stale" in error["error"], error
        [detail] = error["details"]
        assert detail["field"] == "metadata.resourceVersion", error
        # The winner's write is what every replica holds.
        version = json.loads(won)["results"][0]["resourceVersion"]
        assert int(version) > int(created)
        wait_until(lambda: configs(one).get(f"WorkloadEntry/default/{name}") == version
                   == configs(two).get(f"WorkloadEntry/default/{name}"), what="the winner everywhere")
        stored = [c for c in two.get_json("/debug/configz") if c["metadata"]["name"] == name]
        assert stored[0]["spec"]["address"] == {"one": "10.6.0.2", "two": "10.6.0.3"}[winner]
