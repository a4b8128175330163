"""The Dubbo registry in ZooKeeper (issue 22): a real ZooKeeper (Debian's `zookeeper`, started
here as a process on loopback), providers registering the way Dubbo does (an ephemeral znode
/dubbo/<interface>/providers/<URL-encoded dubbo://...>, via kazoo), `fairway serve
--dubbo-zookeeper`, and a real Dubbo2 consumer calling through a real Envoy sidecar.

What is asserted is what the store, Envoy's EDS (its cluster membership) and the calls show:
the provider becomes a registry-owned ServiceEntry + WorkloadEntry; calls reach it through
Envoy; a provider whose session ends (closed, or its process killed so the session expires)
leaves EDS within the session timeout; ZooKeeper restarting loses and duplicates nothing; the
owned objects refuse admin edits."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import time

import pytest
from kazoo.client import KazooClient

from fairway_server import FairwayServer
import mesh_net
from mesh_net import Net, node_id
from zookeeper_server import ZooKeeperServer, provider_node, register

REASON = mesh_net.namespaces_supported()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"real-Envoy tests: {REASON}")

HERE = pathlib.Path(__file__).resolve().parent
INTERFACE = "mosn.io.dubbo.DemoService"
PROVIDER_IP = "10.77.0.11"
CONSUMER_IP = "10.77.0.10"
PORT = 20880
CLUSTER = f"outbound|{PORT}||{INTERFACE}"
DRDS_STAT = f"dubbo.outbound_0.0.0.0_{PORT}.drds.{PORT}"
TARGET = f"240.240.0.20:{PORT}"  # any address on the port: iptables hands it to the sidecar
SE_PATH = "/apis/networking.istio.io/v1/namespaces/dubbo/serviceentries"
WE_PATH = "/apis/networking.istio.io/v1/namespaces/dubbo/workloadentries"


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Mesh:
    def __init__(self):
        mesh_net.remove_leftovers()
        self.zk = ZooKeeperServer()
        self.server = FairwayServer("--dubbo-zookeeper", self.zk.hosts, "--dubbo-session-timeout-ms", "10000")
        self.net = Net(self.server.ads_port)
        self.provider = self.net.pod("zk-provider", PROVIDER_IP)
        self.provider.python("dubbo_provider.py", "zk-provider", str(PORT), str(self.provider.dir / "calls.log"),
                             log="provider.out")
        self.provider.wait_listening(PORT)
        self.kazoo = KazooClient(hosts=self.zk.hosts, timeout=10)
        self.kazoo.start(timeout=15)
        self.node = register(self.kazoo, PROVIDER_IP, PORT, INTERFACE, version="1.0.0", weight="100")
        wait_for(lambda: self.workload_addresses() == [f"{PROVIDER_IP}:{PORT}"], 20, "the provider in the store")
        self.consumer = self.net.pod("dubbo-consumer", CONSUMER_IP)
        self.sidecar = self.consumer.start_sidecar(node_id("sidecar", CONSUMER_IP, "dubbo-consumer-1", "dubbo"),
                                                   namespace="dubbo", labels="app=dubbo-consumer")
        self.sidecar.wait_synced(("cluster_manager.cds", "listener_manager.lds"))
        self.sidecar.wait_version(f"{DRDS_STAT}.update_success", lambda v: isinstance(v, int) and v > 0)
        self.client = self.consumer.python_pipe("dubbo_client.py")

    def close(self):
        for closer in (self.kazoo.stop, self.net.close, self.server.stop, self.zk.close):
            try:
                closer()
            except Exception:
                pass

    def owned(self, path: str) -> list[dict]:
        return [o for o in self.server.get_json(path)["items"]
                if o["metadata"].get("labels", {}).get("fairway.io/managed-by") == "dubbo-zookeeper"]

    def workload_addresses(self) -> list[str]:
        return sorted(f"{o['spec']['address']}:{o['spec']['ports']['tcp-dubbo']}" for o in self.owned(WE_PATH))

    def membership(self) -> int | None:
        """Endpoints of the interface's cluster in the consumer Envoy (from EDS)."""
        value = self.sidecar.stats(r"^cluster\." + CLUSTER.replace("|", r"\|").replace(".", r"\.")
                                   + r"\.membership_total$").get(f"cluster.{CLUSTER}.membership_total")
        return value if isinstance(value, int) else None

    def call(self, count: int = 1) -> list[dict]:
        spec = {"host": TARGET, "interface": INTERFACE, "timeout": 5,
                "calls": [{"method": "sayHello", "args": ["fairway"]}] * count}
        assert self.client.stdin is not None and self.client.stdout is not None
        self.client.stdin.write(json.dumps(spec) + "\n")
        self.client.stdin.flush()
        line = self.client.stdout.readline()
        assert line, "the Dubbo client exited"
        return json.loads(line)["results"]

    def app_calls(self) -> int:
        log = self.provider.dir / "calls.log"
        return len(log.read_text().splitlines()) if log.exists() else 0

    def registered_process(self, address: str, timeout_s: float) -> subprocess.Popen:
        """A provider's registration held by a process of its own (killable: its session expires)."""
        process = subprocess.Popen([sys.executable, str(HERE / "dubbo_zk_register.py"), self.zk.hosts,
                                    str(timeout_s), address, INTERFACE, "version=1.0.0"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=HERE)
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.strip() == "registered", process.stderr.read() if process.stderr else ""
        return process


@pytest.fixture(scope="module")
def mesh():
    m = Mesh()
    try:
        yield m
    finally:
        m.close()


def test_a_registered_provider_becomes_an_owned_service_entry_and_takes_real_calls(mesh):
    [entry] = mesh.owned(SE_PATH)
    assert entry["spec"]["hosts"] == [INTERFACE]
    assert entry["spec"]["ports"] == [{"number": PORT, "name": "tcp-dubbo", "protocol": "DUBBO"}]
    assert entry["spec"]["resolution"] == "STATIC"
    assert entry["metadata"]["annotations"]["fairway.io/dubbo-interface"] == INTERFACE
    [workload] = mesh.owned(WE_PATH)
    labels = workload["spec"]["labels"]
    assert labels["version"] == "1.0.0" and labels["application"] == "demo-provider"
    assert labels["side"] == "provider" and labels["methods"] == "sayHello-listOrders"
    assert workload["spec"]["weight"] == 100
    # Marked as the registry's in configz.
    configz = [c for c in mesh.server.get_json("/debug/configz")
               if c["metadata"]["name"] == entry["metadata"]["name"]]
    assert configz and configz[0]["metadata"]["labels"]["fairway.io/managed-by"] == "dubbo-zookeeper"
    # A real Dubbo2 call through the consumer's Envoy reaches the provider the registry named.
    wait_for(lambda: mesh.membership() == 1, 15, "the endpoint in the consumer's EDS")
    before = mesh.app_calls()
    results = mesh.call(5)
    assert all(r["ok"] for r in results), f"{results}; {mesh.sidecar.logs(2000)}"
    assert {r["value"]["provider"] for r in results} == {"zk-provider"}
    wait_for(lambda: mesh.app_calls() - before == 5, 5, "5 calls at the provider")
    assert mesh.sidecar.rejections() == {}


def test_the_owned_configs_refuse_admin_edits(mesh):
    [entry] = mesh.owned(SE_PATH)
    [workload] = mesh.owned(WE_PATH)
    name = entry["metadata"]["name"]
    edited = json.dumps({"apiVersion": "networking.istio.io/v1", "kind": "ServiceEntry",
                         "metadata": {"name": name, "namespace": "dubbo"},
                         "spec": {**entry["spec"], "hosts": ["hijacked.example"]}})
    for method, path, body in [
        ("POST", "/apply", edited.encode()),
        ("PUT", f"{SE_PATH}/{name}", edited.encode()),
        ("DELETE", f"{WE_PATH}/{workload['metadata']['name']}", None),
        # Claiming to be the registry is refused too.
        ("POST", "/apply", json.dumps({"apiVersion": "networking.istio.io/v1", "kind": "ServiceEntry",
                                        "metadata": {"name": "spoof", "namespace": "dubbo",
                                                     "labels": {"fairway.io/managed-by": "dubbo-zookeeper"}},
                                        "spec": {"hosts": ["spoof.example"], "ports": [
                                            {"number": 1, "name": "tcp", "protocol": "TCP"}]}}).encode()),
    ]:
        status, raw = mesh.server.request(method, path, body, content_type="application/json")
        assert status == 403, (method, path, status, raw)
        error = json.loads(raw)
        assert "managed by dubbo-zookeeper" in error["error"], error
        assert error["details"][0]["field"] == "metadata.labels.fairway.io/managed-by"
    assert mesh.owned(SE_PATH) == [entry]
    assert mesh.owned(WE_PATH) == [workload]


def test_a_provider_whose_session_ends_leaves_eds_within_the_session_timeout(mesh):
    # Closed session (a provider shutting down): its node goes at once.
    second = KazooClient(hosts=mesh.zk.hosts, timeout=4)
    second.start(timeout=15)
    register(second, "10.77.0.31", PORT, INTERFACE, version="1.0.0")
    wait_for(lambda: mesh.membership() == 2, 15, "two endpoints in EDS")
    started = time.monotonic()
    second.stop()
    second.close()
    wait_for(lambda: mesh.membership() == 1, 4, "the closed provider gone from EDS")
    closed_after = time.monotonic() - started
    # Crashed provider (SIGKILL): ZooKeeper expires its 2 s session, removes the node, the watch
    # fires, the WorkloadEntry goes, EDS follows.
    crashed = mesh.registered_process("10.77.0.32:20880", 2)
    wait_for(lambda: mesh.membership() == 2, 15, "the second provider in EDS")
    started = time.monotonic()
    crashed.kill()
    crashed.wait()
    wait_for(lambda: mesh.membership() == 1, 2 + 3, "the crashed provider gone from EDS")
    expired_after = time.monotonic() - started
    assert mesh.workload_addresses() == [f"{PROVIDER_IP}:{PORT}"]
    print(f"closed session: out of EDS in {closed_after:.2f}s; killed (2 s session): {expired_after:.2f}s")
    assert all(r["ok"] for r in mesh.call(3))


def test_zookeeper_restarting_loses_and_duplicates_nothing(mesh):
    # One provider whose process dies while ZooKeeper is down: its session expires only after
    # ZooKeeper is back, so its removal arrives after Fairway reconnected.
    doomed = mesh.registered_process("10.77.0.41:20880", 2)
    wait_for(lambda: mesh.workload_addresses() == sorted([f"{PROVIDER_IP}:{PORT}", "10.77.0.41:20880"]), 15,
             "the second provider in the store")
    wait_for(lambda: mesh.membership() == 2, 15, "two endpoints in EDS")
    revision = mesh.server.store_revision()
    mesh.zk.stop()
    doomed.kill()
    doomed.wait()
    time.sleep(3)
    # ZooKeeper down: the last known endpoints stay and nothing was written.
    assert mesh.membership() == 2
    assert mesh.server.store_revision() == revision
    assert mesh.server.process.poll() is None
    mesh.zk.start()
    # Back: the dead provider's session expires and it leaves; the live one is still there once.
    wait_for(lambda: mesh.workload_addresses() == [f"{PROVIDER_IP}:{PORT}"], 20,
             "the store reconciled after the restart")
    wait_for(lambda: mesh.membership() == 1, 10, "EDS reconciled after the restart")
    # The watches were set again: a provider registering now appears.
    late = KazooClient(hosts=mesh.zk.hosts, timeout=4)
    late.start(timeout=15)
    try:
        register(late, "10.77.0.42", PORT, INTERFACE, version="1.0.0")
        wait_for(lambda: mesh.workload_addresses() == sorted([f"{PROVIDER_IP}:{PORT}", f"10.77.0.42:{PORT}"]),
                 15, "a provider registered after the restart")
    finally:
        late.stop()
        late.close()
    wait_for(lambda: mesh.workload_addresses() == [f"{PROVIDER_IP}:{PORT}"], 10, "the late provider gone")
    wait_for(lambda: mesh.membership() == 1, 10, "the late provider gone from EDS")
    assert len(mesh.owned(SE_PATH)) == 1
    results = mesh.call(5)
    assert all(r["ok"] for r in results), results
    assert {r["value"]["provider"] for r in results} == {"zk-provider"}


def test_bad_provider_urls_are_ignored_and_counted(mesh):
    mesh.kazoo.create(f"/dubbo/{INTERFACE}/providers/not-a-url%zz", b"", ephemeral=True)
    mesh.kazoo.create(provider_node("provider.example", PORT, INTERFACE), b"", ephemeral=True)
    mesh.kazoo.create(f"/dubbo/{INTERFACE}/providers/" + "x" * 1000, b"", ephemeral=True)

    def counted():
        status, body = mesh.server.request("GET", "/metrics")
        for line in body.decode().splitlines():
            if line.startswith("fairway_dubbo_registry_bad_provider_urls_total"):
                return float(line.split()[-1]) >= 3
        return False

    wait_for(counted, 10, "the bad URLs counted in /metrics")
    assert mesh.workload_addresses() == [f"{PROVIDER_IP}:{PORT}"]
    assert mesh.server.process.poll() is None
    results = mesh.call(2)
    assert all(r["ok"] for r in results), results
