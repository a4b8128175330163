"""Dubbo for real (issue 19): a real Dubbo2 client (PyPI dubbo-ssl-python) in a consumer pod,
through its Envoy sidecar's `dubbo_proxy` listener, to Hessian2 providers (dubbo_provider.py)
behind their own Envoy sidecars, with the Examples/dubbo demo applied unchanged but for the pod
addresses (10.0.0.x -> 10.77.0.x).

Sidecars run with Istio's iptables interception (the consumer dials any address on 20882, the
provider sidecar receives on 20882 through virtualInbound) and, as the demo README documents,
with `--interception-mode NONE` (the consumer dials 127.0.0.1:20882, each provider sidecar binds
20882). Every assertion is about what the calls did: which provider answered (its name is in the
answer), how many requests reached each application (its log), Envoy's own counters."""

from __future__ import annotations

import json
import math
import pathlib
import time

import pytest

from fairway_server import REPO, FairwayServer
import mesh_net
from mesh_net import Net, node_id

REASON = mesh_net.namespaces_supported()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"real-Envoy tests: {REASON}")

INTERFACE = "mosn.io.dubbo.DemoService"
DEMO = (REPO / "Examples" / "dubbo" / "demo.yaml").read_text().replace("10.0.0.1", "10.77.0.1")
PROVIDERS = {"blue": "10.77.0.11", "green": "10.77.0.12"}
CONSUMER_IP = "10.77.0.10"
APP_PORT = 20880
DRDS_STAT = "dubbo.outbound_0.0.0.0_20882.drds.20882"
# Any address on the service port: iptables hands it to the consumer's 0.0.0.0_20882 listener.
INTERCEPTED_TARGET = "240.240.0.20:20882"


class DubboMesh:
    """Fairway with the demo applied, a consumer pod and two provider pods, each with a sidecar."""

    def __init__(self, server: FairwayServer, net: Net, interception: bool, app_port: int = APP_PORT,
                 app_after_sidecar: bool = False):
        self.server, self.net = server, net
        extra = () if interception else ("--interception-mode", "NONE")
        self.providers: dict[str, mesh_net.Pod] = {}
        for color, ip in PROVIDERS.items():
            pod = net.pod(f"provider-{color}", ip)
            self.providers[color] = pod
            if not app_after_sidecar:
                self.start_app(color, app_port)
            pod.start_sidecar(node_id("sidecar", ip, f"provider-{color}", "dubbo"), namespace="dubbo",
                              labels=f"app=dubbo-provider,color={color}", interception=interception,
                              extra_bootstrap_args=extra)
        self.consumer = net.pod("dubbo-consumer", CONSUMER_IP)
        self.sidecar = self.consumer.start_sidecar(
            node_id("sidecar", CONSUMER_IP, "dubbo-consumer-1", "dubbo"), namespace="dubbo",
            labels="app=dubbo-consumer", interception=interception, extra_bootstrap_args=extra)
        for pod in [*self.providers.values(), self.consumer]:
            assert pod.sidecar is not None
            pod.sidecar.wait_synced(("cluster_manager.cds", "listener_manager.lds"))
        self.sidecar.wait_version(f"{DRDS_STAT}.update_success", lambda v: isinstance(v, int) and v > 0)
        if app_after_sidecar:
            for color in PROVIDERS:
                self.start_app(color, app_port)
        self.target = INTERCEPTED_TARGET if interception else "127.0.0.1:20882"
        if not interception:
            for pod in self.providers.values():
                pod.wait_listening(20882, pod.ip)
            self.consumer.wait_listening(20882)
        self.client = self.consumer.python_pipe("dubbo_client.py")

    def start_app(self, color: str, port: int) -> None:
        pod = self.providers[color]
        pod.python("dubbo_provider.py", color, str(port), str(pod.dir / "calls.log"), log="provider.out")
        pod.wait_listening(port)

    def calls(self, calls: list[dict], timeout: float = 5) -> dict:
        """Calls made in order on the client's one connection: {results, local_port}."""
        spec = {"host": self.target, "interface": INTERFACE, "calls": calls, "timeout": timeout}
        assert self.client.stdin is not None and self.client.stdout is not None
        self.client.stdin.write(json.dumps(spec) + "\n")
        line = self.client.stdout.readline()
        assert line, "the Dubbo client exited"
        return json.loads(line)

    def answered_by(self, method: str, count: int = 1, context: dict | None = None) -> list[str]:
        out = self.calls([{"method": method, "args": ["fairway"], "context": context}] * count)
        failed = [r for r in out["results"] if not r["ok"]]
        assert not failed, f"{failed[:3]}; consumer Envoy: {self.sidecar.logs(2000)}"
        return [r["value"]["provider"] for r in out["results"]]

    def app_calls(self, color: str) -> list[dict]:
        log = self.providers[color].dir / "calls.log"
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    def rejections(self) -> dict:
        return {pod.name: pod.sidecar.rejections() for pod in [*self.providers.values(), self.consumer]
                if pod.sidecar and pod.sidecar.rejections()}


@pytest.fixture(scope="module")
def mesh():
    mesh_net.remove_leftovers()
    server = FairwayServer()
    server.apply(DEMO)
    net = Net(server.ads_port)
    try:
        yield DubboMesh(server, net, interception=True)
    finally:
        net.close()
        server.stop()


def test_method_and_attachment_routes(mesh):
    # say-hello: sayHello stays on blue; canary (first rule): the attachment wins over the method.
    assert mesh.answered_by("sayHello", 10) == ["blue"] * 10
    assert mesh.answered_by("sayHello", 10, {"x-user-tag": "canary"}) == ["green"] * 10
    assert mesh.answered_by("listOrders", 10, {"x-user-tag": "canary"}) == ["green"] * 10
    # Another value of the attachment is no canary: the 80/20 split applies, not the canary rule.
    echoed = mesh.calls([{"method": "sayHello", "args": ["x"], "context": {"x-user-tag": "stable"}}])
    answer = echoed["results"][0]["value"]
    assert answer["provider"] == "blue" and answer["method"] == "sayHello"
    assert answer["attachments"]["x-user-tag"] == "stable"  # attachments reach the application
    assert mesh.rejections() == {}


def test_weighted_split_is_80_20(mesh):
    n = 300
    answers = mesh.answered_by("listOrders", n)
    green = answers.count("green")
    assert answers.count("blue") + green == n
    # Binomial(300, 0.2): mean 60, sd 6.9. Six sd either side (p < 2e-9 of a false failure) still
    # excludes a 50/50 split (150) and all-or-nothing.
    sd = math.sqrt(n * 0.2 * 0.8)
    assert 60 - 6 * sd <= green <= 60 + 6 * sd, f"green {green} of {n}"


def test_provider_inbound_path_one_call_is_one_upstream_request(mesh):
    pod = mesh.providers["blue"]
    assert pod.sidecar is not None
    before_app = len(mesh.app_calls("blue"))
    stats = pod.sidecar.stats(r"inbound\|20882\|\|")
    before_dubbo = int(stats.get("dubbo.inbound|20882||.request", 0))
    before_upstream = int(stats.get("cluster.inbound|20882||.upstream_rq_total", 0))
    assert mesh.answered_by("sayHello", 5) == ["blue"] * 5
    pod.sidecar.wait_version("dubbo.inbound|20882||.response", lambda v: v is not None and v >= before_dubbo + 5)
    stats = pod.sidecar.stats(r"inbound\|20882\|\|")
    # The provider's sidecar took each call on its inbound listener and sent it once to the app.
    assert stats["dubbo.inbound|20882||.request"] - before_dubbo == 5
    assert stats["cluster.inbound|20882||.upstream_rq_total"] - before_upstream == 5
    calls = mesh.app_calls("blue")[before_app:]
    assert len(calls) == 5
    # From its own sidecar over loopback, not straight from the consumer pod.
    assert {c["peer"].split(":")[0] for c in calls} == {"127.0.0.1"}
    listener = [l for l in pod.sidecar.config_dump("dynamic_listeners")["configs"]
                if l["name"] == "virtualInbound"]
    assert listener, "the provider sidecar has no virtualInbound listener"


def test_route_change_reaches_calls_without_a_listener_change(mesh):
    sidecar = mesh.sidecar
    first = mesh.calls([{"method": "sayHello", "args": ["x"]}])
    assert first["results"][0]["value"]["provider"] == "blue"
    port = first["local_port"]
    before = sidecar.stats(r"listener_manager\.|" + DRDS_STAT.replace(".", r"\.") + r"\.")
    listeners_before = _listener_versions(sidecar)
    changed = DEMO.replace("route:\n    - destination: {host: mosn.io.dubbo.DemoService, subset: blue}\n    timeout: 3s",
                           "route:\n    - destination: {host: mosn.io.dubbo.DemoService, subset: green}\n    timeout: 3s")
    assert changed != DEMO
    try:
        mesh.server.apply(changed)
        deadline = time.monotonic() + 15
        answer = "blue"
        while answer != "green" and time.monotonic() < deadline:
            out = mesh.calls([{"method": "sayHello", "args": ["x"]}])
            answer = out["results"][0]["value"]["provider"]
            assert out["local_port"] == port, "the client's connection was replaced"
        assert answer == "green", "the route change never reached calls"
        assert mesh.answered_by("sayHello", 10) == ["green"] * 10
        after = sidecar.stats(r"listener_manager\.|" + DRDS_STAT.replace(".", r"\.") + r"\.")
        # The Dubbo routes changed, over drds ...
        assert after[f"{DRDS_STAT}.version_text"] != before[f"{DRDS_STAT}.version_text"]
        assert after[f"{DRDS_STAT}.update_success"] > before[f"{DRDS_STAT}.update_success"]
        # ... and no listener was touched: same LDS version, nothing modified, added or drained.
        for stat in ("listener_manager.lds.version_text", "listener_manager.listener_modified",
                     "listener_manager.listener_added", "listener_manager.listener_removed",
                     "listener_manager.total_listeners_draining"):
            assert after[stat] == before[stat], f"{stat}: {before[stat]} -> {after[stat]}"
        assert _listener_versions(sidecar) == listeners_before
        # The client's one TCP connection to the consumer listener stayed open throughout.
        listener = sidecar.stats(r"^listener\.0\.0\.0\.0_20882\.downstream_cx_(total|active)$")
        assert listener == {"listener.0.0.0.0_20882.downstream_cx_total": 1,
                            "listener.0.0.0.0_20882.downstream_cx_active": 1}
        assert mesh.rejections() == {}
    finally:
        mesh.server.apply(DEMO)


def _listener_versions(sidecar) -> dict[str, str]:
    dump = sidecar.config_dump("dynamic_listeners")
    return {l["name"]: l["active_state"]["version_info"] for l in dump["configs"]}


def test_without_interception_as_the_demo_readme_runs_it():
    """`--interception-mode NONE`: each provider sidecar binds 20882 and forwards to the app on
    20880 (the ServiceEntry's targetPort); one call is one request at the app (the listener is
    never its own upstream)."""
    mesh_net.remove_leftovers()
    server = FairwayServer()
    try:
        server.apply(DEMO)
        with Net(server.ads_port) as net:
            plain = DubboMesh(server, net, interception=False)
            assert plain.answered_by("sayHello", 5) == ["blue"] * 5
            assert plain.answered_by("listOrders", 5, {"x-user-tag": "canary"}) == ["green"] * 5
            assert len(plain.app_calls("blue")) == 5 and len(plain.app_calls("green")) == 5
            for color, pod in plain.providers.items():
                assert pod.sidecar is not None
                stats = pod.sidecar.stats(r"inbound\|20882\|\|\.(request|upstream_rq_total)$")
                assert stats == {"cluster.inbound|20882||.upstream_rq_total": 5,
                                 "dubbo.inbound|20882||.request": 5}, (color, stats)
            assert plain.rejections() == {}
    finally:
        server.stop()


def test_without_interception_an_app_on_the_service_port_keeps_it():
    """The loop of issue 19: the demo's old shape (no targetPort, no WorkloadEntry port map) with
    the application on the service port itself, its sidecar started first. The sidecar must not
    take 20882 (a listener there forwarding to 127.0.0.1:20882 was its own upstream: one call,
    2,048 upstream requests); calls reach the app once each, straight from the consumer's
    sidecar, as Istio does without a Sidecar ingress listener."""
    old_demo = (DEMO.replace("    targetPort: 20880\n", "")
                .replace("  ports: {tcp-dubbo: 20882}\n", ""))
    assert "targetPort:" not in old_demo and "ports: {tcp-dubbo" not in old_demo
    mesh_net.remove_leftovers()
    server = FairwayServer()
    try:
        server.apply(old_demo)
        with Net(server.ads_port) as net:
            plain = DubboMesh(server, net, interception=False, app_port=20882, app_after_sidecar=True)
            assert plain.answered_by("sayHello", 5) == ["blue"] * 5
            calls = plain.app_calls("blue")
            assert len(calls) == 5, f"{len(calls)} requests reached the app for 5 calls"
            assert {c["peer"].split(":")[0] for c in calls} == {CONSUMER_IP}
            for pod in plain.providers.values():
                assert pod.sidecar is not None
                names = [l["name"] for l in pod.sidecar.config_dump("dynamic_listeners").get("configs", [])]
                assert "inbound|20882||" not in names and "0.0.0.0_20882" not in names, names
            assert plain.rejections() == {}
    finally:
        server.stop()
