"""Auto-registration with real Envoys: a VM-style Envoy whose node names a WorkloadGroup
(AUTO_REGISTER_GROUP) becomes a WorkloadEntry while connected, receives another sidecar's
traffic through the ServiceEntry that selects the group's labels, and is removed a grace
period after it goes away; health reports over ADS (istio.v1.HealthInformation) take it out
of EDS and put it back; a restart on the journal store neither loses nor leaks entries."""

from __future__ import annotations

import datetime
import json
import tempfile
import time

import pytest

import ads_client
from ads_client import ADSStream
from fairway_server import FairwayServer
import mesh_net
from mesh_net import Net, node_id

REASON = mesh_net.namespaces_supported()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"real-Envoy tests: {REASON}")

HEALTH = "type.googleapis.com/istio.v1.HealthInformation"
VM_IP = "10.77.0.41"
ENTRY = f"ratings-{VM_IP}"
CLUSTER = "outbound|9080||ratings.default.svc.cluster.local"
URL = "http://240.240.0.11:9080/ratings"
HOST = {"host": "ratings.default.svc.cluster.local:9080"}


def mesh(probe: bool) -> str:
    return f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: ratings, namespace: default}}
spec:
  hosts: [ratings.default.svc.cluster.local]
  addresses: [240.240.0.11]
  location: MESH_INTERNAL
  ports: [{{number: 9080, name: http, protocol: HTTP}}]
  resolution: STATIC
  workloadSelector: {{labels: {{app: ratings}}}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadGroup
metadata: {{name: ratings, namespace: default}}
spec:
  metadata: {{labels: {{class: vm}}, annotations: {{owner: data-team}}}}
  template: {{labels: {{app: ratings}}, serviceAccount: ratings}}
""" + ("  probe: {httpGet: {port: 9080, path: /ready}, periodSeconds: 5}\n" if probe else "")


def entries(server: FairwayServer) -> dict[str, dict]:
    return {c["metadata"]["name"]: c for c in server.get_json("/debug/configz") if c["kind"] == "WorkloadEntry"}


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def rfc3339(text: str) -> float:
    """Seconds since the epoch of an RFC 3339 time in UTC with up to 9 fraction digits."""
    whole, _, fraction = text.rstrip("Z").partition(".")
    base = datetime.datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return base.timestamp() + (float("0." + fraction) if fraction else 0.0)


def endpoints(sidecar, cluster: str = CLUSTER) -> set[str]:
    """The hosts Envoy holds for `cluster` (its /clusters table)."""
    status, body = sidecar.admin("/clusters")
    assert status == 200
    hosts = set()
    for line in body.decode().splitlines():
        parts = line.split("::")
        if len(parts) >= 3 and parts[0] == cluster and parts[2] == "health_flags":
            hosts.add(parts[1])
    return hosts


def vm_node(ip: str = VM_IP, pod: str = "ratings-vm"):
    node = ads_client.make_node(node_id("sidecar", ip, pod), labels={"app": "ratings", "version": "v1"})
    node.metadata.fields["AUTO_REGISTER_GROUP"].string_value = "ratings"
    return node


class Mesh:
    """The client pod with its sidecar, and the VM pod: a backend on 9080 and (once started) an
    intercepted Envoy that auto-registers into the `ratings` group."""

    def __init__(self, net: Net):
        self.net = net
        self.vm = net.pod("ratings-vm", VM_IP)
        self.vm.python("mesh_backend.py", "ratings-vm", "9080")
        self.vm.wait_listening(9080, VM_IP)
        self.client, self.sidecar = net.client_with_sidecar("productpage", "10.77.0.30", "app=productpage")
        self.intercepted = False

    def start_vm_envoy(self):
        sidecar = self.vm.start_sidecar(
            node_id("sidecar", VM_IP, "ratings-vm"), labels="app=ratings,version=v1",
            interception=not self.intercepted,
            extra_bootstrap_args=("--auto-register-group", "ratings", "--locality", "us-east/zone-a"))
        self.intercepted = True
        sidecar.wait_synced()
        return sidecar

    def served_by(self, count: int = 4) -> list:
        return [json.loads(r["body"])["backend"] if r["status"] == 200 else r["status"]
                for r in self.client.http_many(URL, count, headers=HOST)]


@pytest.fixture()
def server():
    mesh_net.remove_leftovers()
    s = FairwayServer("--auto-registration-grace", "3", "--instance-id", "fairway-test",
                      "--debounce-quiet-ms", "20")
    yield s
    s.stop()


def test_vm_registers_serves_and_is_removed_after_the_grace(server):
    server.apply(mesh(probe=False))
    with Net(server.ads_port) as net:
        m = Mesh(net)
        assert endpoints(m.sidecar) == set()
        started = time.monotonic()
        vm = m.start_vm_envoy()
        entry = wait_for(lambda: entries(server).get(ENTRY), 10, "the auto-registered entry")
        registered = time.monotonic() - started
        meta, spec = entry["metadata"], entry["spec"]
        assert spec["address"] == VM_IP
        assert spec["labels"] == {"app": "ratings", "class": "vm", "version": "v1"}
        assert spec["locality"] == "us-east/zone-a"
        assert spec["serviceAccount"] == "ratings"
        annotations = meta["annotations"]
        assert annotations["istio.io/autoRegistrationGroup"] == "ratings"
        assert annotations["istio.io/workloadController"] == "fairway-test"
        assert annotations["owner"] == "data-team"
        assert "istio.io/connectedAt" in annotations and "istio.io/disconnectedAt" not in annotations

        wait_for(lambda: endpoints(m.sidecar) == {f"{VM_IP}:9080"}, 10, "the VM in the client's EDS")
        print(f"\nVM Envoy start -> entry in configz {registered:.2f}s, -> client EDS {time.monotonic() - started:.2f}s")
        assert m.served_by() == ["ratings-vm"] * 4
        # The request went through the VM's own Envoy (inbound listener, intercepted).
        assert vm.stats(r"inbound\|9080\|\|.*upstream_rq_total").get("cluster.inbound|9080||.upstream_rq_total", 0) >= 4, \
            vm.stats("inbound")

        # Envoy goes away: marked disconnected at once, deleted after the 3 s grace.
        vm.stop()
        stopped = time.monotonic()
        marked = wait_for(lambda: (entries(server).get(ENTRY) or {}).get("metadata", {}).get("annotations", {})
                          .get("istio.io/disconnectedAt"), 3, "disconnectedAt")
        assert marked
        assert "istio.io/connectedAt" not in entries(server)[ENTRY]["metadata"]["annotations"]
        wait_for(lambda: ENTRY not in entries(server), 10, "the entry's deletion")
        deleted = time.monotonic() - stopped
        assert deleted >= 2.5
        wait_for(lambda: endpoints(m.sidecar) == set(), 10, "the VM gone from the client's EDS")
        print(f"VM Envoy stopped -> entry deleted {deleted:.2f}s (grace 3 s), -> out of client EDS "
              f"{time.monotonic() - stopped:.2f}s")
        assert m.sidecar.rejections() == {}, m.sidecar.logs()


def test_reconnect_within_the_grace_keeps_the_entry(server):
    server.apply(mesh(probe=False))
    with Net(server.ads_port) as net:
        m = Mesh(net)
        vm = m.start_vm_envoy()
        first = wait_for(lambda: entries(server).get(ENTRY), 10, "the entry")
        first_connected = first["metadata"]["annotations"]["istio.io/connectedAt"]
        vm.stop()
        wait_for(lambda: "istio.io/disconnectedAt" in entries(server)[ENTRY]["metadata"]["annotations"], 3,
                 "disconnectedAt")
        vm = m.start_vm_envoy()
        again = wait_for(lambda: (e := entries(server).get(ENTRY)) and "istio.io/connectedAt" in
                         e["metadata"]["annotations"] and e, 3, "connected again")
        annotations = again["metadata"]["annotations"]
        assert "istio.io/disconnectedAt" not in annotations
        assert rfc3339(annotations["istio.io/connectedAt"]) > rfc3339(first_connected)
        # Well past the grace of the first disconnect: still there, still served.
        time.sleep(4)
        assert ENTRY in entries(server)
        assert m.served_by(2) == ["ratings-vm"] * 2
        vm.stop()


def test_health_reports_take_the_vm_out_of_eds_and_back(server):
    server.apply(mesh(probe=True))
    with Net(server.ads_port) as net:
        m = Mesh(net)
        m.start_vm_envoy()
        entry = wait_for(lambda: entries(server).get(ENTRY), 10, "the entry")
        assert entry["metadata"]["annotations"]["proxy.istio.io/health-checks-enabled"] == "true"
        # Health checked and not reported healthy yet: not an endpoint.
        time.sleep(0.5)
        assert endpoints(m.sidecar) == set()

        # The agent's stream (same node) reports health; no response ever comes back.
        agent = ADSStream(server.ads_address, vm_node())
        try:
            reported = time.monotonic()
            agent.request(HEALTH)
            wait_for(lambda: endpoints(m.sidecar) == {f"{VM_IP}:9080"}, 10, "healthy: in EDS")
            healthy_in = time.monotonic() - reported
            assert m.served_by(2) == ["ratings-vm"] * 2
            reported = time.monotonic()
            agent.request(HEALTH, error="readiness probe: HTTP 503")
            wait_for(lambda: endpoints(m.sidecar) == set(), 10, "unhealthy: out of EDS")
            print(f"\nhealthy report -> in client EDS {healthy_in:.2f}s; unhealthy report -> out of client EDS "
                  f"{time.monotonic() - reported:.2f}s")
            annotations = entries(server)[ENTRY]["metadata"]["annotations"]
            assert annotations["fairway.io/healthy"] == "false"
            assert annotations["fairway.io/health-message"] == "readiness probe: HTTP 503"
            assert all(r["status"] == 503 for r in m.client.http_many(URL, 2, headers=HOST))
            agent.request(HEALTH)
            wait_for(lambda: endpoints(m.sidecar) == {f"{VM_IP}:9080"}, 10, "healthy again: back in EDS")
            assert m.served_by(2) == ["ratings-vm"] * 2
            agent.expect_nothing(within=0.5)
            # The server still serves the agent's stream its real types.
            agent.request(ads_client.CDS)
            assert agent.receive().type_url == ads_client.CDS
        finally:
            agent.close()
        # The agent's stream ending is not the VM's: its Envoy still holds the entry.
        time.sleep(4)
        assert ENTRY in entries(server)
        assert m.sidecar.rejections() == {}, m.sidecar.logs()


def test_restart_on_the_journal_neither_loses_nor_leaks_entries():
    mesh_net.remove_leftovers()
    data_dir = tempfile.mkdtemp(prefix="fairway-autoreg-")
    args = ("--data-dir", data_dir, "--auto-registration-grace", "6", "--instance-id", "fairway-test",
            "--debounce-quiet-ms", "20")
    server = FairwayServer(*args)
    leaked = "ratings-10.77.0.99"
    try:
        server.apply(mesh(probe=False))
        with Net(server.ads_port) as net:
            m = Mesh(net)
            m.start_vm_envoy()
            wait_for(lambda: ENTRY in entries(server), 10, "the VM's entry")
            # A proxy that will not come back after the restart.
            ghost = ADSStream(server.ads_address, vm_node("10.77.0.99", "ghost"))
            ghost.request(ads_client.CDS)
            ghost.receive()
            wait_for(lambda: leaked in entries(server), 10, "the ghost's entry")
            before = entries(server)[ENTRY]["metadata"]["annotations"]["istio.io/connectedAt"]

            ports = (server.ads_port, server.admin_port)
            server.process.kill()  # no chance to mark anything disconnected
            server.process.wait()
            ghost.close()
            server = FairwayServer(*args, ads_port=ports[0], admin_port=ports[1])
            # Restored from the journal...
            assert {ENTRY, leaked} <= set(entries(server))
            # ...the VM's Envoy reconnects and keeps its entry...
            wait_for(lambda: rfc3339(entries(server)[ENTRY]["metadata"]["annotations"].get(
                "istio.io/connectedAt", "1970-01-01T00:00:00Z")) > rfc3339(before), 15, "the VM reconnected")
            # ...and the ghost's is deleted after the grace.
            started = time.monotonic()
            wait_for(lambda: leaked not in entries(server), 15, "the ghost's entry cleaned up")
            assert time.monotonic() - started >= 3
            assert ENTRY in entries(server)
            assert m.served_by(2) == ["ratings-vm"] * 2
    finally:
        server.stop()
