"""Starts a real etcd (Debian's etcd-server) on free loopback ports with a temp data dir."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time

from fairway_server import FairwayServer, free_port

ETCD_BIN = os.environ.get("ETCD_BIN", "/usr/bin/etcd")


class EtcdServer:
    """One etcd member; stop() and start() keep the ports and the data (a restart)."""

    def __init__(self, extra: list[str] | None = None, tls: dict | None = None):
        """tls: {"cert", "key", "ca"} paths: clients must speak TLS and present a certificate
        the CA signed."""
        self.extra = list(extra or [])
        self.tls = tls
        self.client_port = free_port()
        self.peer_port = free_port()
        self.data_dir = tempfile.mkdtemp(prefix="fairway-etcd-")
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"etcd://127.0.0.1:{self.client_port}"

    def start(self, timeout: float = 15.0) -> None:
        client = f"{'https' if self.tls else 'http'}://127.0.0.1:{self.client_port}"
        tls = (["--cert-file", str(self.tls["cert"]), "--key-file", str(self.tls["key"]),
                "--client-cert-auth", "--trusted-ca-file", str(self.tls["ca"])] if self.tls else [])
        peer = f"http://127.0.0.1:{self.peer_port}"
        self.process = subprocess.Popen(
            [ETCD_BIN, "--name", "fairway-test", "--data-dir", self.data_dir,
             "--listen-client-urls", client, "--advertise-client-urls", client,
             "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
             "--initial-cluster", f"fairway-test={peer}",
             "--max-txn-ops", "10000", "--logger", "zap", "--log-level", "error", *tls, *self.extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"etcd exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.client_port), timeout=0.2):
                    # Listening; give the single member a moment to elect itself.
                    time.sleep(0.2)
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"etcd not listening in {timeout}s")

    def etcdctl(self, *args: str, tls_client: tuple | None = None) -> str:
        """Runs Debian's etcdctl (etcd-client) against this member."""
        command = ["etcdctl", f"--endpoints=127.0.0.1:{self.client_port}"]
        if tls_client:
            command += [f"--cacert={self.tls['ca']}", f"--cert={tls_client[0]}", f"--key={tls_client[1]}"]
        out = subprocess.run([*command, *args], capture_output=True, text=True, timeout=30,
                             env={"ETCDCTL_API": "3", "PATH": os.environ.get("PATH", "")})
        if out.returncode != 0:
            raise RuntimeError(f"etcdctl {' '.join(args)}: {out.stderr}")
        return out.stdout

    def stop(self) -> None:
        """SIGKILL: clients get no goodbye, as when its host dies."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)


@contextlib.contextmanager
def fairway_replicas(etcd: EtcdServer, count: int = 3):
    """`count` `fairway serve --store etcd://...` replicas over etcd (20 ms debounce), stopped
    on exit."""
    started: list[FairwayServer] = []
    try:
        for _ in range(count):
            started.append(FairwayServer("--store", etcd.url, "--debounce-quiet-ms", "20"))
        yield started
    finally:
        for replica in started:
            replica.stop()
