"""Starts a real ZooKeeper (Debian's `zookeeper` package) as a process on a free loopback port,
standalone, admin server off, with a temp data dir; and registers Dubbo providers the way Dubbo's
ZooKeeper registry does (kazoo)."""

from __future__ import annotations

import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse

from fairway_server import free_port

CLASSPATH = os.environ.get("ZOOKEEPER_CLASSPATH", "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar")
MAIN = "org.apache.zookeeper.server.ZooKeeperServerMain"


class ZooKeeperServer:
    """One standalone server; stop() and start() keep the port and the data (a restart).
    tickTime 500 ms: sessions may ask for 1 s to 10 s."""

    def __init__(self, tick_ms: int = 500):
        self.port = free_port()
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="fairway-zk-"))
        (self.dir / "data").mkdir()
        (self.dir / "zoo.cfg").write_text(
            f"tickTime={tick_ms}\ndataDir={self.dir / 'data'}\nclientPort={self.port}\n"
            "clientPortAddress=127.0.0.1\nadmin.enableServer=false\n"
            "4lw.commands.whitelist=srvr,ruok\nmaxClientCnxns=0\n")
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def hosts(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        self.process = subprocess.Popen(
            ["java", "-Xmx256m", "-cp", CLASSPATH, "-Dzookeeper.admin.enableServer=false",
             "-Dzookeeper.jmx.log4j.disable=true", MAIN, str(self.dir / "zoo.cfg")],
            stdout=open(self.dir / "zk.log", "ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"zookeeper exited with {self.process.returncode}")
            if "Mode: standalone" in self.four_letter("srvr"):
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"zookeeper not serving in {timeout}s")

    def four_letter(self, word: str) -> str:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(word.encode())
                chunks = []
                while chunk := s.recv(4096):
                    chunks.append(chunk)
                return b"".join(chunks).decode(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "ZooKeeperServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def provider_url(ip: str, port: int, interface: str, **params: str) -> str:
    """dubbo://ip:port/interface?... as Dubbo 2.7 registers a provider (parameters sorted)."""
    query = {"anyhost": "true", "application": "demo-provider", "dubbo": "2.0.2", "interface": interface,
             "methods": "sayHello,listOrders", "side": "provider", "timestamp": str(int(time.time() * 1000)),
             "pid": str(os.getpid()), **params}
    return f"dubbo://{ip}:{port}/{interface}?" + "&".join(f"{k}={v}" for k, v in sorted(query.items()))


def provider_node(ip: str, port: int, interface: str, **params: str) -> str:
    """The znode Dubbo creates (ephemeral): /dubbo/<interface>/providers/<URL-encoded URL>."""
    encoded = urllib.parse.quote(provider_url(ip, port, interface, **params), safe="")
    return f"/dubbo/{interface}/providers/{encoded}"


def register(client, ip: str, port: int, interface: str, **params: str) -> str:
    """Registers one provider with a started KazooClient; returns the node path."""
    path = provider_node(ip, port, interface, **params)
    client.create(path, b"", ephemeral=True, makepath=True)
    return path
