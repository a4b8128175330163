"""Starts the real `fairway` binary on free loopback ports and talks to its admin API."""

from __future__ import annotations

import json
import os
import pathlib
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fairway_binary() -> str:
    path = os.environ.get("FAIRWAY_BIN")
    if path:
        return path
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, capture_output=True, text=True, check=True)
    return str(pathlib.Path(out.stdout.strip()) / "fairway")


class FairwayServer:
    """A running `fairway serve` with its own ports; stop() ends it."""

    def __init__(self, *extra_args: str, config_dir: str | None = None, token: str | None = None,
                 ca_file: str | None = None, ads_port: int | None = None, admin_port: int | None = None):
        """With --tls-cert the admin port speaks HTTPS: pass the CA that signed it as ca_file.
        ads_port/admin_port: reuse a stopped server's ports (a restart the proxies reconnect to)."""
        self.token = token
        self.tls = "--tls-cert" in extra_args
        self._ssl = ssl.create_default_context(cafile=ca_file) if self.tls else None
        self.ads_port = ads_port or free_port()
        self.admin_port = admin_port or free_port()
        args = [
            fairway_binary(), "serve",
            "--ads-port", str(self.ads_port), "--admin-port", str(self.admin_port),
            "--log-level", "warning", *extra_args,
        ]
        if config_dir:
            args += ["--config-dir", config_dir]
        self.log = tempfile.NamedTemporaryFile(prefix="fairway-", suffix=".log", delete=False)
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_ready()

    @property
    def ads_address(self) -> str:
        return f"127.0.0.1:{self.ads_port}"

    @property
    def admin_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.admin_port}"

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"fairway exited with {self.process.returncode}: {self.logs()}")
            try:
                with urllib.request.urlopen(self.admin_url + "/healthz/ready", timeout=1, context=self._ssl) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"fairway not ready in {timeout}s: {self.logs()}")

    def logs(self) -> str:
        return pathlib.Path(self.log.name).read_text(errors="replace")[-4000:]

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str = "application/yaml"):
        req = urllib.request.Request(self.admin_url + path, data=body, method=method)
        if body is not None:
            req.add_header("Content-Type", content_type)
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=10, context=self._ssl) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def apply(self, yaml_text: str, wait: bool = True) -> dict:
        """Applies YAML; with wait, returns once a push covering it has been made."""
        status, body = self.request("POST", "/apply", yaml_text.encode())
        assert status == 200, f"apply failed {status}: {body.decode(errors='replace')}"
        result = json.loads(body)
        if wait:
            self.wait_pushed()
        return result

    def delete(self, plural: str, name: str, namespace: str = "default", wait: bool = True) -> None:
        status, body = self.request("DELETE", f"/apis/networking.istio.io/v1/namespaces/{namespace}/{plural}/{name}")
        assert status == 200, f"delete failed {status}: {body.decode(errors='replace')}"
        if wait:
            self.wait_pushed()

    def store_revision(self) -> int:
        configs = self.get_json("/debug/configz")
        return max((int(c["metadata"].get("resourceVersion", 0)) for c in configs), default=0)

    def wait_pushed(self, timeout: float = 15.0) -> None:
        """Waits until the last push reflects the store's current revision."""
        target = self.store_revision()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = self.get_json("/debug/push_status").get("lastPush") or {}
            if last.get("revision", -1) >= target:
                return
            time.sleep(0.01)
        raise AssertionError(f"no push reached revision {target} in {timeout}s")

    def get_json(self, path: str):
        status, body = self.request("GET", path)
        assert status == 200, f"GET {path} failed {status}: {body.decode(errors='replace')}"
        return json.loads(body)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        os.unlink(self.log.name)
