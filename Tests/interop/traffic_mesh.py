"""The shared mesh of the real-Envoy traffic tests (test_envoy_traffic*.py): one Fairway, a
client pod with an intercepted Envoy sidecar, backend pods with real HTTP and TCP servers, and
an app pod behind its own sidecar. conftest.py imports the session fixture `traffic`, so it is
built once for every traffic test file (and only when one runs).

Pods (10.77.0.0/24 exists only inside the test's namespaces):
- client  10.77.0.30  sidecar, labels app=client; every request starts here. Its /etc/hosts
  names the DNS ServiceEntry's endpoint (dns-backend.example.internal) and host.
- b1      10.77.0.21  HTTP reviews-v1 :9080, TCP echo-v1 :9000
- b2      10.77.0.22  HTTP reviews-v2 :9080, flaky-b2 :9081 (always 503), TCP echo-v2 :9000
- b3      10.77.0.23  HTTP mirror :9080, flaky-b3 :9081 (always 503), dns-backend :9082
- ratings 10.77.0.24  sidecar, labels app=ratings; HTTP ratings :9080 behind it

Services (ServiceEntries; VIPs on 240.240.0.0/24, intercepted by the client's iptables):
reviews .10 (b1 v1, b2 v2), mirror .11 (b3), echo .12 TCP 9000 (b1 v1, b2 v2), ratings .13,
loc .14 (b1 in region1/zone1 weight 3, b2 in region2/zone2 weight 1), flaky .15 (b1:9080,
b2:9081, b3:9081), dnsapp.example.internal (resolution DNS, endpoint by host name)."""

from __future__ import annotations

import json
import math
import pathlib
import time
import uuid

import pytest

from fairway_server import FairwayServer
import mesh_net
from mesh_net import Net, node_id

REVIEWS = "reviews.default.svc.cluster.local"
REVIEWS_URL = "http://240.240.0.10:9080"
MIRROR = "mirror.default.svc.cluster.local"
ECHO_VIP = "240.240.0.12"
RATINGS_URL = "http://240.240.0.13:9080"
LOC_URL = "http://240.240.0.14:9080"
FLAKY = "flaky.default.svc.cluster.local"
FLAKY_URL = "http://240.240.0.15:9080"
DNS_HOST = "dnsapp.example.internal"
CLIENT_IP, RATINGS_IP = "10.77.0.30", "10.77.0.24"
B1, B2, B3 = "10.77.0.21", "10.77.0.22", "10.77.0.23"

SUBSETS = """  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}"""


def service_entry(name: str, vip: str, selector: str | None = None, endpoints: str | None = None,
                  port: str = "{number: 9080, name: http, protocol: HTTP}") -> str:
    spec = f"""apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: {name}, namespace: default}}
spec:
  hosts: [{name}.default.svc.cluster.local]
  addresses: [{vip}]
  location: MESH_INTERNAL
  ports: [{port}]
  resolution: STATIC
"""
    if selector:
        spec += f"  workloadSelector: {{labels: {{app: {selector}}}}}\n"
    if endpoints:
        spec += f"  endpoints: {endpoints}\n"
    return spec


def workload_entry(name: str, address: str, labels: str, extra: str = "") -> str:
    return f"""apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {{name: {name}, namespace: default}}
spec: {{address: {address}, labels: {{{labels}}}{extra}}}
"""


MESH = "---\n".join([
    service_entry("reviews", "240.240.0.10", selector="reviews"),
    workload_entry("reviews-v1", B1, "app: reviews, version: v1"),
    workload_entry("reviews-v2", B2, "app: reviews, version: v2"),
    service_entry("mirror", "240.240.0.11", endpoints=f"[{{address: {B3}}}]"),
    service_entry("echo", ECHO_VIP, selector="echo", port="{number: 9000, name: tcp-echo, protocol: TCP}"),
    workload_entry("echo-v1", B1, "app: echo, version: v1"),
    workload_entry("echo-v2", B2, "app: echo, version: v2"),
    service_entry("ratings", "240.240.0.13", selector="ratings"),
    workload_entry("ratings-1", RATINGS_IP, "app: ratings"),
    service_entry("loc", "240.240.0.14", selector="loc"),
    workload_entry("loc-1", B1, "app: loc", ", locality: region1/zone1, weight: 3"),
    workload_entry("loc-2", B2, "app: loc", ", locality: region2/zone2, weight: 1"),
    service_entry("flaky", "240.240.0.15",
                  endpoints=f"[{{address: {B1}}}, {{address: {B2}, ports: {{http: 9081}}}}, "
                            f"{{address: {B3}, ports: {{http: 9081}}}}]"),
    f"""apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: dnsapp, namespace: default}}
spec:
  hosts: [{DNS_HOST}]
  location: MESH_EXTERNAL
  ports: [{{number: 9080, name: http, protocol: HTTP}}]
  resolution: DNS
  endpoints: [{{address: dns-backend.example.internal, ports: {{http: 9082}}}}]
""",
    f"""apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: echo, namespace: default}}
spec:
  host: echo.default.svc.cluster.local
{SUBSETS}
""",
])


def reviews_rule(policy: str = "") -> str:
    """The reviews DestinationRule with subsets v1/v2 and an optional trafficPolicy (YAML flow)."""
    text = f"""apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: reviews, namespace: default}}
spec:
  host: {REVIEWS}
"""
    if policy:
        text += f"  trafficPolicy: {policy}\n"
    return text + SUBSETS + "\n"


def virtual_service(name: str, http_yaml: str, host: str | None = None, kind: str = "http") -> str:
    """A VirtualService for `host` (default NAME.default.svc.cluster.local) whose `http` (or
    `tcp`) section is the given YAML list, indented by the caller at two spaces."""
    return f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: {name}, namespace: default}}
spec:
  hosts: [{host or f"{name}.default.svc.cluster.local"}]
  {kind}:
{http_yaml}"""


def binomial_bounds(n: int, p: float, alpha: float = 1e-9) -> tuple[int, int]:
    """[lo, hi] holding Binomial(n, p) with probability above 1 - alpha (exact tails): a count
    outside it means the split is not p, not bad luck."""
    pmf = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    lo, tail = 0, 0.0
    while tail + pmf[lo] <= alpha / 2:
        tail += pmf[lo]
        lo += 1
    hi, tail = n, 0.0
    while tail + pmf[hi] <= alpha / 2:
        tail += pmf[hi]
        hi -= 1
    return lo, hi


class TrafficMesh:
    """Everything the traffic tests share; apply() returns once both sidecars run the config."""

    def __init__(self) -> None:
        mesh_net.remove_leftovers()
        self.server = FairwayServer()
        self.server.apply(MESH)
        self.net = Net(self.server.ads_port)
        try:
            self._start_pods()
        except BaseException:
            self.close()
            raise

    def _start_pods(self) -> None:
        net = self.net
        self.b1, self.b2, self.b3 = net.pod("b1", B1), net.pod("b2", B2), net.pod("b3", B3)
        backends = [(self.b1, "reviews-v1", 9080), (self.b2, "reviews-v2", 9080), (self.b2, "flaky-b2", 9081),
                    (self.b3, "mirror", 9080), (self.b3, "flaky-b3", 9081), (self.b3, "dns-backend", 9082)]
        for pod, name, port in backends:
            if name.startswith("flaky"):
                (pod.dir / f"{port}.fail").touch()  # mesh_backend answers 503 to everything
            pod.python("mesh_backend.py", name, str(port), str(pod.dir / f"{port}.log"))
        for pod, name in ((self.b1, "echo-v1"), (self.b2, "echo-v2")):
            pod.python("mesh_tcp_echo.py", name, "9000")
        # Both sidecars carry the DNS ServiceEntry's cluster: a name that does not resolve keeps
        # Envoy waiting on c-ares timeouts before its EDS clusters and listeners (Envoy warms
        # DNS clusters first), so both pods know it.
        hosts = {"dns-backend.example.internal": B3, DNS_HOST: "240.240.0.20"}
        self.ratings = net.pod("ratings", RATINGS_IP, hosts=hosts)
        self.ratings.python("mesh_backend.py", "ratings", "9080", str(self.ratings.dir / "9080.log"))
        self.ratings_sidecar = self.ratings.start_sidecar(
            node_id("sidecar", RATINGS_IP, "ratings-1"), labels="app=ratings")
        self.client = net.pod("client", CLIENT_IP, hosts=hosts)
        self.sidecar = self.client.start_sidecar(node_id("sidecar", CLIENT_IP, "client-1"), labels="app=client")
        for pod, name, port in backends:
            pod.wait_listening(port, pod.ip)
        for pod in (self.b1, self.b2):
            pod.wait_listening(9000, pod.ip)
        self.ratings.wait_listening(9080, "127.0.0.1")
        self.sidecars = (self.sidecar, self.ratings_sidecar)
        for sidecar in self.sidecars:
            sidecar.wait_synced()
        self._wait_acked()

    # Config: apply and wait until the sidecars run it.
    def _xds_state(self) -> dict[str, dict[str, tuple[str, str, int]]]:
        state = {}
        for entry in self.server.get_json("/debug/syncz"):
            state[entry["proxy"]] = {url: (s.get("sent", ""), s.get("acked", ""), int(s.get("nacks", 0)))
                                     for url, s in entry.get("xds", {}).items()}
        return state

    def _wait_acked(self, timeout: float = 15) -> None:
        ids = [s.node_id for s in self.sidecars]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self._xds_state()
            nacked = {i: state[i] for i in ids if i in state and any(n for _, _, n in state[i].values())}
            assert not nacked, f"a sidecar NACKed: {nacked} {self.server.get_json('/debug/syncz')}"
            if all(i in state and all(sent == acked for sent, acked, _ in state[i].values()) for i in ids):
                time.sleep(0.05)  # an ACK precedes the workers' copy of the config by a moment
                return
            time.sleep(0.01)
        raise AssertionError(f"sidecars not synced in {timeout}s: {self._xds_state()}")

    def apply(self, *documents: str) -> None:
        """Applies the YAML documents; returns once every sidecar has ACKed what resulted."""
        before = self._xds_state()
        self.server.apply("---\n".join(documents))
        # The push hands responses to the streams asynchronously: wait until the client was sent
        # something new (a config that changes nothing for it sends nothing: give up after 1 s).
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline and self._sent(self._xds_state()) == self._sent(before):
            time.sleep(0.01)
        self._wait_acked()
        assert all(s.rejections() == {} for s in self.sidecars), [s.rejections() for s in self.sidecars]

    def _sent(self, state: dict) -> dict:
        return {url: value[0] for url, value in state.get(self.sidecar.node_id, {}).items()}

    # Traffic.
    def get(self, url: str, **kwargs) -> dict:
        return self.client.http(url, **kwargs)

    def many(self, url: str, count: int, **kwargs) -> list[dict]:
        return self.client.http_many(url, count, **kwargs)

    @staticmethod
    def key() -> str:
        """A fresh x-backend-key: backends count requests per key, logs are searched by it."""
        return uuid.uuid4().hex[:12]

    @staticmethod
    def backend_log(pod: mesh_net.Pod, port: int, key: str | None = None) -> list[dict]:
        path = pathlib.Path(pod.dir) / f"{port}.log"
        if not path.exists():
            return []
        records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        return [r for r in records if key is None or r["headers"].get("x-backend-key") == key]

    def close(self) -> None:
        self.net.close()
        self.server.stop()


@pytest.fixture(scope="session")
def traffic():
    reason = mesh_net.namespaces_supported()
    if reason is not None:
        pytest.skip(f"real-Envoy tests: {reason}")
    started = time.monotonic()
    mesh = TrafficMesh()
    print(f"\ntraffic mesh ready in {time.monotonic() - started:.2f}s")
    yield mesh
    mesh.close()
