"""Starts a real etcd (Debian's etcd-server) on free loopback ports with a temp data dir."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time

from fairway_server import free_port

ETCD_BIN = os.environ.get("ETCD_BIN", "/usr/bin/etcd")


class EtcdServer:
    """One etcd member; stop() and start() keep the ports and the data (a restart)."""

    def __init__(self, extra: list[str] | None = None):
        self.extra = list(extra or [])
        self.client_port = free_port()
        self.peer_port = free_port()
        self.data_dir = tempfile.mkdtemp(prefix="fairway-etcd-")
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"etcd://127.0.0.1:{self.client_port}"

    def start(self, timeout: float = 15.0) -> None:
        client = f"http://127.0.0.1:{self.client_port}"
        peer = f"http://127.0.0.1:{self.peer_port}"
        self.process = subprocess.Popen(
            [ETCD_BIN, "--name", "fairway-test", "--data-dir", self.data_dir,
             "--listen-client-urls", client, "--advertise-client-urls", client,
             "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
             "--initial-cluster", f"fairway-test={peer}",
             "--max-txn-ops", "10000", "--logger", "zap", "--log-level", "error", *self.extra],
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

    def stop(self) -> None:
        """SIGKILL: clients get no goodbye, as when its host dies."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
