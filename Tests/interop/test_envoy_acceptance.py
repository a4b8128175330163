"""Acceptance gate: everything Fairway can produce is loaded into a real Envoy 1.40 and accepted.

One Envoy per proxy flavour stays connected (sidecar with REDIRECT interception whose labels
select a workload, sidecar without interception, router, Dubbo consumer and Dubbo provider),
each once over SotW and once over Delta ADS. Meshes are applied one after another: the
previous mesh's objects are deleted, the next is applied, and the gate waits until every Envoy
holds exactly what Fairway computes for it. Then, per mesh and proxy:

- no `*.update_rejected` stat moved and Fairway's syncz recorded no NACK;
- Envoy's config_dump holds the very clusters, listeners, route configs and endpoint
  assignments Fairway says it sent (/debug/config_dump?proxyID=), which are the ones it would
  compute for that proxy (/debug/config_dump?ip=...), and every subscription applied an update;
- Envoy logged no line containing "deprecated".

Meshes: every file in Examples/ (and Examples/dubbo), the meshes of mesh_fixtures.py, the Swift
golden meshes (written to .build/fixtures/meshes/ by GoldenFixtureTests) and the generated
valid meshes in .build/fixtures/random-meshes/ (RandomMeshFixtureTests; FAIRWAY_RANDOM_MESHES
sets how many, `make envoy-gate` writes 200).
"""

from __future__ import annotations

import json
import os
import pathlib
import time
import urllib.parse

import pytest
import yaml

import mesh_fixtures
import mesh_net
from fairway_server import REPO, FairwayServer
from mesh_net import Net, node_id

REASON = mesh_net.namespaces_supported()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"real-Envoy tests: {REASON}")

FIXTURES = REPO / ".build/fixtures"
PLURALS = {
    "VirtualService": "virtualservices",
    "DestinationRule": "destinationrules",
    "ServiceEntry": "serviceentries",
    "WorkloadEntry": "workloadentries",
    "Gateway": "gateways",
}

# Kept applied through every mesh: the workload the intercepted and non-intercepted sidecars
# belong to, with a port of each protocol, so each of them also has inbound listeners.
ANCHOR = """apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: fairway-gate-anchor, namespace: default}
spec:
  hosts: [fairway-gate.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports:
  - {number: 9180, name: http, protocol: HTTP}
  - {number: 9181, name: http2, protocol: HTTP2, targetPort: 8181}
  - {number: 9182, name: grpc, protocol: GRPC}
  - {number: 9183, name: tcp, protocol: TCP}
  - {number: 9184, name: tcp-dubbo, protocol: DUBBO}
  workloadSelector: {labels: {app: fairway-gate}}
"""


class Flavour:
    """One connected Envoy: how it identifies itself and how Fairway would describe it."""

    def __init__(self, name: str, kind: str, pod: str, namespace: str, labels: str,
                 interception: bool, delta: bool):
        self.name = f"{name}-{'delta' if delta else 'sotw'}"
        self.kind = kind
        self.pod_name = pod
        self.namespace = namespace
        self.labels = labels
        self.interception = interception
        self.delta = delta
        self.sidecar: mesh_net.Sidecar | None = None
        self.ip = ""
        self.log_offset = 0

    @property
    def id(self) -> str:
        return node_id(self.kind, self.ip, self.pod_name, self.namespace)

    def hypothetical_query(self) -> str:
        query = {"proxyID": self.id, "ip": self.ip, "namespace": self.namespace, "labels": self.labels,
                 "type": self.kind, "client": "envoy"}
        if not self.interception:
            query["interception"] = "NONE"
        return urllib.parse.urlencode(query)


def flavours() -> list[Flavour]:
    out = []
    for delta in (False, True):
        out += [
            Flavour("sidecar", "sidecar", "gate-app-1", "default", "app=fairway-gate,version=v1", True, delta),
            Flavour("sidecar-none", "sidecar", "gate-app-2", "default", "app=fairway-gate,version=v1", False, delta),
            Flavour("router", "router", "ingressgateway-1", "istio-system", "app=istio-ingressgateway,istio=ingressgateway",
                    False, delta),
            Flavour("dubbo-consumer", "sidecar", "dubbo-consumer-1", "dubbo", "app=dubbo-consumer", False, delta),
            Flavour("dubbo-provider", "sidecar", "provider-blue", "dubbo", "app=dubbo-provider,color=blue", False,
                    delta),
        ]
    return out


def documents(text: str) -> list[dict]:
    return [d for d in yaml.safe_load_all(text) if isinstance(d, dict) and d.get("kind") in PLURALS]


def meshes() -> list[tuple[str, str]]:
    """(name, YAML) of every mesh the gate loads, in a stable order."""
    out: list[tuple[str, str]] = []
    for path in sorted((REPO / "Examples").rglob("*.yaml")):
        out.append((f"examples/{path.relative_to(REPO / 'Examples')}", path.read_text()))
    fixtures = mesh_fixtures
    out += [
        ("mesh_fixtures/base", fixtures.BASE),
        ("mesh_fixtures/base+ratings", fixtures.BASE + "---\n" + fixtures.ratings(9080)),
        ("mesh_fixtures/ratings-8080+workload", fixtures.ratings(8080) + "---\n"
         + fixtures.workload("reviews-3", "10.1.0.3", "v3")),
    ]
    for lb in ("ROUND_ROBIN", "LEAST_REQUEST", "RANDOM", "PASSTHROUGH"):
        out.append((f"mesh_fixtures/rule-{lb}", fixtures.BASE.split("---\napiVersion: networking.istio.io/v1\n"
                                                                     "kind: DestinationRule")[0]
                    + "---\n" + fixtures.reviews_rule(lb)))
    golden = FIXTURES / "meshes"
    if not golden.is_dir() or not any(golden.glob("*.yaml")):
        pytest.fail(f"{golden} is empty: the Swift tests write it (GoldenFixtureTests; run `make test`)")
    for path in sorted(golden.glob("*.yaml")):
        out.append((f"golden/{path.stem}", path.read_text()))
    generated = FIXTURES / "random-meshes"
    if not generated.is_dir() or not any(generated.glob("*.yaml")):
        pytest.fail(f"{generated} is empty: the Swift tests write it (RandomMeshFixtureTests; run `make test`)")
    for path in sorted(generated.glob("*.yaml")):
        out.append((f"random/{path.stem}", path.read_text()))
    return out


def dump_sections(dump: dict) -> dict[str, list]:
    return {c.get("@type", "").rsplit(".", 1)[-1]: c for c in dump.get("configs", [])}


def fairway_names(dump: dict) -> dict[str, set[str]]:
    """Resource names per type in Fairway's config_dump (what it sent or would send)."""
    sections = dump_sections(dump)
    names = {
        "cds": {c["cluster"]["name"] for c in sections["ClustersConfigDump"].get("dynamic_active_clusters", [])},
        "lds": {l["name"] for l in sections["ListenersConfigDump"].get("dynamic_listeners", [])},
        "rds": {r["route_config"]["name"] for r in sections["RoutesConfigDump"].get("dynamic_route_configs", [])},
        "eds": {e["endpoint_config"]["cluster_name"]
                for e in sections["EndpointsConfigDump"].get("dynamic_endpoint_configs", [])},
    }
    names["drds"] = {c["name"] for c in dump.get("configs", [])
                     if c.get("@type", "").endswith("MultipleRouteConfiguration")}
    return names


def envoy_names(sidecar: mesh_net.Sidecar) -> dict[str, set[str]]:
    """What Envoy holds and applies: active clusters and listeners, route configs, assignments."""
    sections = dump_sections(_envoy_dump(sidecar))
    clusters = sections.get("ClustersConfigDump", {})
    listeners = sections.get("ListenersConfigDump", {})
    routes = sections.get("RoutesConfigDump", {})
    endpoints = sections.get("EndpointsConfigDump", {})
    return {
        "cds": {c["cluster"]["name"] for c in clusters.get("dynamic_active_clusters", [])}
        | {c["cluster"]["name"] for c in clusters.get("dynamic_warming_clusters", [])},
        "lds": {l["name"] for l in listeners.get("dynamic_listeners", [])
                if "active_state" in l or "warming_state" in l},
        "rds": {r["route_config"]["name"] for r in routes.get("dynamic_route_configs", [])},
        "eds": {e["endpoint_config"]["cluster_name"] for e in endpoints.get("dynamic_endpoint_configs", [])},
        # Dubbo route configs that Envoy's Dubbo listeners ask for over drds.
        "drds_wanted": {f["typed_config"]["drds"]["route_config_name"]
                        for l in listeners.get("dynamic_listeners", []) if "active_state" in l
                        for chain in l["active_state"]["listener"].get("filter_chains", [])
                        for f in chain.get("filters", [])
                        if f.get("name") == "envoy.filters.network.dubbo_proxy" and "drds" in f["typed_config"]},
    }


def _envoy_dump(sidecar: mesh_net.Sidecar) -> dict:
    status, body = sidecar.admin("/config_dump?include_eds")
    assert status == 200, body
    return json.loads(body)


class Gate:
    def __init__(self, server: FairwayServer, net: Net):
        self.server = server
        self.net = net
        self.flavours = flavours()
        self.resources_checked = 0
        self.failures: list[str] = []
        self.applied: list[dict] = []

    def start(self) -> None:
        for flavour in self.flavours:
            pod = self.net.pod(flavour.name)
            flavour.ip = pod.ip
            # DNS clusters resolve against a local port nothing listens on: names fail at once
            # (no unreachable server to time out on), and the clusters finish warming.
            etc = pathlib.Path("/etc/netns") / pod.ns
            etc.mkdir(parents=True, exist_ok=True)
            (etc / "resolv.conf").write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
            # Istio lets sidecars and gateways bind ports below 1024 the same way (pod sysctl).
            pod.exec("sysctl", "-qw", "net.ipv4.ip_unprivileged_port_start=0")
            args: tuple[str, ...] = ()
            if not flavour.interception:
                args += ("--interception-mode", "NONE")
            if flavour.delta:
                args += ("--ads-api-type", "DELTA_GRPC")
            flavour.sidecar = pod.start_sidecar(flavour.id, namespace=flavour.namespace, labels=flavour.labels,
                                                interception=flavour.interception, extra_bootstrap_args=args)
        for flavour in self.flavours:
            assert flavour.sidecar is not None
            flavour.sidecar.wait_synced(("cluster_manager.cds",), timeout=30)

    def apply(self, name: str, text: str) -> None:
        for doc in self.applied:
            meta = doc["metadata"]
            self.server.delete(PLURALS[doc["kind"]], meta["name"], meta.get("namespace", "default"), wait=False)
        self.applied = documents(text)
        if self.applied:
            self.server.apply(text)
        else:
            self.server.wait_pushed()

    def check(self, mesh: str, timeout: float = 20) -> None:
        """Waits until every Envoy holds what Fairway computes for it; records what differs."""
        pending = list(self.flavours)
        deadline = time.monotonic() + timeout
        last: dict[str, str] = {}
        rejected_at_start = {f.name: f.sidecar.rejections() for f in self.flavours}
        while pending and time.monotonic() < deadline:
            still = []
            for flavour in pending:
                problem = self._compare(flavour, rejected_at_start[flavour.name])
                if problem is None:
                    continue
                if problem.startswith("REJECTED"):
                    self.failures.append(f"{mesh} / {flavour.name}: {problem}")
                    continue
                last[flavour.name] = problem
                still.append(flavour)
            pending = still
            if pending:
                time.sleep(0.05)
        for flavour in pending:
            self.failures.append(f"{mesh} / {flavour.name}: not in sync after {timeout}s: {last.get(flavour.name)}")
        for flavour in self.flavours:
            for line in self._new_log_lines(flavour):
                if "deprecated" in line.lower():
                    self.failures.append(f"{mesh} / {flavour.name}: deprecation: {line}")

    def _compare(self, flavour: Flavour, rejected_before: dict[str, int]) -> str | None:
        sidecar = flavour.sidecar
        assert sidecar is not None
        rejected = sidecar.rejections()
        if rejected != rejected_before:
            return f"REJECTED {rejected}; Fairway syncz: {self._nack_messages(flavour)}"
        expected = fairway_names(self.server.get_json(f"/debug/config_dump?{flavour.hypothetical_query()}"))
        sent_dump = self.server.get_json(f"/debug/config_dump?proxyID={urllib.parse.quote(flavour.id)}")
        sent = fairway_names(sent_dump)
        # Route configs go out as listeners ask for them (and a SotW stream's last response may
        # still name ones no listener wants any more): compared below with what Envoy holds.
        if any(sent[k] != expected[k] for k in ("cds", "lds", "eds")):
            return f"Fairway has not sent what it computes yet: {_diff(expected, sent)}"
        held = envoy_names(sidecar)
        # Warming clusters (a DNS name not resolved yet) and listeners (waiting for their
        # routes) were accepted; only a rejection leaves them out.
        if held["cds"] != sent["cds"]:
            return f"cds: Envoy holds {_diff({'cds': sent['cds']}, {'cds': held['cds']})}"
        if held["lds"] != sent["lds"]:
            return f"lds: Envoy holds {_diff({'lds': sent['lds']}, {'lds': held['lds']})}"
        if not held["rds"] <= expected["rds"]:
            return f"rds: Envoy holds {_diff({'rds': expected['rds']}, {'rds': held['rds']})}"
        # Envoy lists the endpoints of static and DNS clusters too.
        if not sent["eds"] <= held["eds"] <= sent["cds"]:
            return f"eds: Envoy holds {_diff({'eds': sent['eds']}, {'eds': held['eds']})}"
        synced = self._acked(flavour)
        if synced is not None:
            return synced
        sent["rds"] = held["rds"]
        # Dubbo routes a Dubbo listener Envoy holds asks for (named after its port); a Delta
        # stream's record may still list ones no listener wants any more.
        sent["drds"] = sent["drds"] & expected["drds"] & held["drds_wanted"]
        idle = self._idle_subscriptions(sidecar, sent)
        if idle:
            return f"subscriptions without an applied update: {idle[:5]}"
        if sent["drds"]:
            drds = sidecar.stats(r"drds")
            # Envoy's admin has no Dubbo route section: its subscription stats show they applied.
            applied = [k for k, v in drds.items() if k.endswith(".update_success") and v]
            if not applied:
                return f"Dubbo routes {sorted(sent['drds'])} not applied: {drds}"
        self.resources_checked += sum(len(v) for v in sent.values())
        return None

    @staticmethod
    def _idle_subscriptions(sidecar: mesh_net.Sidecar, sent: dict[str, set[str]]) -> list[str]:
        """CDS, LDS, and each RDS and EDS subscription of what was sent, that applied nothing."""
        stats = sidecar.stats(r"update_success$")
        wanted = ["cluster_manager.cds.update_success", "listener_manager.lds.update_success"]
        wanted += [f"cluster.{name}.update_success" for name in sent["eds"]]
        idle = [k for k in wanted if not stats.get(k)]
        for name in sent["rds"]:
            if not any(v for k, v in stats.items() if k.endswith(f".rds.{name}.update_success")):
                idle.append(f"rds {name}")
        return idle

    def _syncz(self, flavour: Flavour) -> list[dict]:
        return [s for s in self.server.get_json("/debug/syncz") if s.get("proxy") == flavour.id]

    def _acked(self, flavour: Flavour) -> str | None:
        for stream in self._syncz(flavour):
            for type_url, status in stream.get("xds", {}).items():
                # Named types (RDS, EDS, Dubbo routes) are checked by what Envoy holds: a SotW
                # Envoy leaves a response unanswered once no listener wants its names.
                if not status.get("wildcard"):
                    continue
                if status["sent"] and status["acked"] != status["sent"]:
                    return f"{type_url.rsplit('.', 1)[-1]} not acknowledged yet ({status['state']})"
        return None

    def _nack_messages(self, flavour: Flavour) -> list[str]:
        return [f"{t.rsplit('.', 1)[-1]}: {s['lastError']}" for stream in self._syncz(flavour)
                for t, s in stream.get("xds", {}).items() if s.get("lastError")]

    def _new_log_lines(self, flavour: Flavour) -> list[str]:
        assert flavour.sidecar is not None
        path = flavour.sidecar.log_path
        if not path.exists():
            return []
        with open(path, "rb") as f:
            f.seek(flavour.log_offset)
            data = f.read()
        flavour.log_offset += len(data)
        return data.decode(errors="replace").splitlines()


def _diff(expected: dict[str, set[str]], actual: dict[str, set[str]]) -> str:
    parts = []
    for kind in expected:
        missing = sorted(expected[kind] - actual.get(kind, set()))[:5]
        extra = sorted(actual.get(kind, set()) - expected[kind])[:5]
        if missing or extra:
            parts.append(f"{kind} missing {missing} extra {extra}")
    return "; ".join(parts)


@pytest.fixture()
def server():
    mesh_net.remove_leftovers()
    s = FairwayServer("--debounce-quiet-ms", "10", "--debounce-max-ms", "100")
    yield s
    s.stop()


def test_every_mesh_is_accepted_by_real_envoys(server):
    started = time.monotonic()
    only = os.environ.get("FAIRWAY_GATE_ONLY", "")
    all_meshes = [m for m in meshes() if only in m[0]]
    server.apply(ANCHOR)
    with Net(server.ads_port) as net:
        gate = Gate(server, net)
        gate.start()
        gate.check("anchor")
        for name, text in all_meshes:
            mesh_started = time.monotonic()
            before = len(gate.failures)
            gate.apply(name, text)
            gate.check(name)
            print(f"  {name}: {time.monotonic() - mesh_started:.1f}s"
                  + "".join(f"\n    {f[:600]}" for f in gate.failures[before:]), flush=True)
        rejections = sum(sum(f.sidecar.rejections().values()) for f in gate.flavours)
        nacks = sum(s.get("nacks", 0) for stream in server.get_json("/debug/syncz")
                    for s in stream.get("xds", {}).values())
        print(f"\nenvoy acceptance gate: {len(all_meshes)} meshes, {len(gate.flavours)} proxies, "
              f"{gate.resources_checked} resources checked, {rejections} rejections, {nacks} NACKs, "
              f"{len(gate.failures)} failures, {time.monotonic() - started:.1f}s")
        assert not gate.failures, "\n".join(gate.failures[:40])
        assert rejections == 0 and nacks == 0


LOCAL_APP_MESH = """apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: local, namespace: default}
spec:
  hosts: [local.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 9080, name: http, protocol: HTTP, targetPort: 9081}]
  workloadSelector: {labels: {app: local}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: local-1, namespace: default}
spec: {address: 10.77.0.40, labels: {app: local}, ports: {http: 9080}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: other, namespace: default}
spec:
  hosts: [other.default.svc.cluster.local]
  addresses: [240.240.0.20]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 8080, name: http, protocol: HTTP}, {number: 5432, name: tcp, protocol: TCP}]
  endpoints: [{address: 10.77.0.41}]
"""


def test_without_interception_the_local_app_keeps_its_port(server):
    """Envoy without interception next to an application listening on 127.0.0.1:9081 (the
    service's targetPort; the sidecar receives on 9080): LDS is accepted, the app reaches another
    service through 127.0.0.1:8080, and a client reaches the app through its sidecar on the pod's
    address."""
    server.apply(LOCAL_APP_MESH)
    with Net(server.ads_port) as net:
        other = net.pod("other-1", "10.77.0.41")
        other.python("mesh_backend.py", "other-1", "8080")
        other.wait_listening(8080, "10.77.0.41")
        pod = net.pod("local-1", "10.77.0.40")
        pod.python("mesh_backend.py", "local-app", "9081", str(pod.dir / "app.log"), "127.0.0.1")
        pod.wait_listening(9081)
        sidecar = pod.start_sidecar(node_id("sidecar", "10.77.0.40", "local-1"), labels="app=local",
                                    interception=False, extra_bootstrap_args=("--interception-mode", "NONE"))
        sidecar.wait_synced(("cluster_manager.cds", "listener_manager.lds"))
        assert sidecar.rejections() == {}, sidecar.logs()
        expected = {"127.0.0.1_8080": "127.0.0.1", "127.0.0.1_5432": "127.0.0.1",
                    "127.0.0.1_9080": "127.0.0.1", "inbound|9080||": "10.77.0.40"}

        def active_addresses():
            dump = dump_sections(sidecar.config_dump())["ListenersConfigDump"]
            return {l["name"]: l["active_state"]["listener"]["address"]["socket_address"]["address"]
                    for l in dump.get("dynamic_listeners", []) if "active_state" in l}

        # LDS accepted is not yet active: listeners warm until their RDS arrives.
        deadline = time.monotonic() + 10
        addresses = active_addresses()
        while addresses != expected and time.monotonic() < deadline:
            time.sleep(0.1)
            addresses = active_addresses()
        # Its own service is reachable on 127.0.0.1:9080 like any other; the app's 9081 is left free.
        assert addresses == {"127.0.0.1_8080": "127.0.0.1", "127.0.0.1_5432": "127.0.0.1",
                             "127.0.0.1_9080": "127.0.0.1", "inbound|9080||": "10.77.0.40"}, addresses
        out = pod.http("http://127.0.0.1:8080/out", headers={"host": "other.default.svc.cluster.local:8080"})
        assert out["status"] == 200 and json.loads(out["body"])["backend"] == "other-1", out
        client = net.pod("client-1", "10.77.0.42")
        inbound = client.http("http://10.77.0.40:9080/in")
        assert inbound["status"] == 200 and json.loads(inbound["body"])["backend"] == "local-app", inbound
        assert sidecar.rejections() == {}
