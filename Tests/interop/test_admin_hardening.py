"""The admin port against hostile clients (issue #20): path tricks around the token, YAML
alias bombs while probes are timed, an oversized body sent the way urllib sends it, and
connections that never finish (slowloris) or sit idle."""

import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from fairway_server import FairwayServer
from mesh_fixtures import ratings

TOKEN = "hardening-token"
API = "/apis/networking.istio.io/v1"

# Every protected route the router serves, with the method it is served on.
PROTECTED = [
    ("GET", "/debug/configz"),
    ("GET", "/debug/syncz"),
    ("GET", "/debug/adsz"),
    ("GET", "/debug/push_status"),
    ("GET", "/debug/config_dump"),
    ("GET", "/metrics"),
    ("GET", "/"),
    ("POST", "/apply"),
    ("PUT", f"{API}/namespaces/default/serviceentries/ratings"),
    ("DELETE", f"{API}/namespaces/default/serviceentries/ratings"),
]


def tricks(path: str) -> list[str]:
    """Spellings of `path` that a server might route to it while a check misses them."""
    if path == "/":
        return ["//", "/./", "/.", "/%2e", "/%2E/", "///"]
    segments = path.strip("/").split("/")
    first, rest = segments[0], "/".join(segments[1:])
    tail = f"/{rest}" if rest else ""
    out = [
        "/" + path,                                  # //debug/configz
        path.replace("/", "//"),                     # //debug//configz
        "/." + path,                                 # /./debug/configz
        path + "/",                                  # trailing slash
        path + "/.",                                 # trailing dot segment
        f"/{first}/../{first}{tail}",                # /debug/../debug/configz
        f"/x/..{path}",                              # /x/../debug/configz
        path.upper(),                                # /DEBUG/CONFIGZ
        "/" + first.upper() + tail,                  # /DEBUG/configz
        "/%" + format(ord(path[1]), "02x") + path[2:],  # /%64ebug/configz
    ]
    if rest:
        out += [f"/{first}%2F{rest.replace('/', '%2F')}", f"/{first}%2f{rest.replace('/', '%2f')}",
                f"/{first}%5C{rest}"]
    return out


def raw_request(port: int, method: str, target: str, body: bytes | None = None,
                token: str | None = None) -> tuple[int, bytes]:
    """Sends `target` byte for byte (http.client does not normalize the path)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/yaml"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, target, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


@pytest.fixture(scope="module")
def protected():
    server = FairwayServer("--admin-token", TOKEN, token=TOKEN)
    yield server
    server.stop()


def test_no_path_trick_reaches_a_protected_route_without_the_token(protected):
    body = ratings().encode()
    checked = 0
    for method, path in PROTECTED:
        for target in [path, *tricks(path)]:
            status, data = raw_request(protected.admin_port, method, target,
                                       body=body if method in ("POST", "PUT") else None)
            assert not 200 <= status < 300, f"{method} {target} answered {status} without a token: {data[:200]!r}"
            assert status in (400, 401, 404, 405), f"{method} {target}: {status} {data[:200]!r}"
            checked += 1
    assert checked > 100
    assert protected.get_json("/debug/configz") == [], "no refused call stored anything"


def test_auth_and_routing_see_the_same_canonical_path(protected):
    port = protected.admin_port
    # With the token, spellings that normalize to a route reach it: the router and the
    # token check agree on the path.
    for target in ["//debug/configz", "/debug/configz/", "/./debug/./configz", "/debug/../debug/configz",
                   "/%64ebug/configz", "//healthz//ready"]:
        status, data = raw_request(port, "GET", target, token=TOKEN)
        assert status == 200, f"{target}: {status} {data[:200]!r}"
    # Encoded separators and climbing above the root are refused outright, token or not.
    for target in ["/debug%2Fconfigz", "/debug%2fconfigz", "/debug%5Cconfigz", "/../debug/configz"]:
        status, data = raw_request(port, "GET", target, token=TOKEN)
        assert status == 400, f"{target}: {status}"
        assert json.loads(data)["details"][0]["field"] == "path"
    # Case is kept (routes are case-sensitive): with the token a 404, never the route.
    assert raw_request(port, "GET", "/DEBUG/configz", token=TOKEN)[0] == 404
    # Probes stay public under every spelling that routes to them.
    assert raw_request(port, "GET", "//healthz/ready/")[0] == 200


def alias_bomb(levels: int = 9, fanout: int = 10) -> bytes:
    """About fanout**levels values from a few hundred bytes, in an unknown field."""
    lines = ["apiVersion: networking.istio.io/v1", "kind: ServiceEntry",
             "metadata: {name: bomb, namespace: default}", "spec:",
             "  hosts: [bomb.example.com]", "  resolution: DNS",
             "  ports: [{number: 80, name: http, protocol: HTTP}]",
             "  x0: &a0 [" + ", ".join(["lol"] * fanout) + "]"]
    for level in range(1, levels):
        lines.append(f"  x{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * fanout) + "]")
    return ("\n".join(lines) + "\n").encode()


def key_bomb(levels: int = 40) -> bytes:
    """An aliased collection as a mapping key: composing it hashes every expanded node."""
    lines = ["a0: &a0 [x, x]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [*a{level - 1}, *a{level - 1}]")
    lines.append(f"? *a{levels - 1}\n: boom")
    return ("\n".join(lines) + "\n").encode()


def test_alias_bombs_are_refused_cheaply_while_probes_and_applies_stay_fast():
    server = FairwayServer()
    try:
        bomb = alias_bomb()
        assert len(bomb) < 1000
        status, data = server.request("POST", "/apply", bomb)
        assert status == 400, data
        error = json.loads(data)
        assert "maxAliasValues" in error["error"] and error["details"][0]["document"] == "document 1", error
        status, data = server.request("POST", "/apply", key_bomb(8))
        assert status == 400 and b"mapping keys must be scalars" in data, data
        status, data = server.request("POST", "/apply", key_bomb())
        assert status == 400, data

        stop = threading.Event()
        hostile = {"sent": 0, "statuses": set()}

        def attack(body: bytes) -> None:
            while not stop.is_set():
                code, _ = server.request("POST", "/apply", body)
                hostile["sent"] += 1
                hostile["statuses"].add(code)

        attackers = [threading.Thread(target=attack, args=(b,)) for b in (alias_bomb(), key_bomb())]
        for thread in attackers:
            thread.start()
        probes = []
        applies = []
        try:
            deadline = time.monotonic() + 3
            n = 0
            while time.monotonic() < deadline:
                start = time.monotonic()
                with urllib.request.urlopen(server.admin_url + "/healthz/ready", timeout=10) as r:
                    assert r.status == 200
                probes.append(time.monotonic() - start)
                if n % 5 == 0:
                    start = time.monotonic()
                    code, body = server.request("POST", "/apply", ratings(9000 + n).encode())
                    assert code == 200, body
                    applies.append(time.monotonic() - start)
                n += 1
        finally:
            stop.set()
            for thread in attackers:
                thread.join()
        assert hostile["statuses"] == {400}, hostile
        print(f"\nunder {hostile['sent']} hostile bodies: /healthz/ready max {max(probes) * 1000:.1f} ms "
              f"(median {sorted(probes)[len(probes) // 2] * 1000:.1f} ms, n={len(probes)}); "
              f"apply max {max(applies) * 1000:.1f} ms (n={len(applies)})")
        assert hostile["sent"] >= 4
        assert max(probes) < 1.0, probes
        assert max(applies) < 1.0, applies
        # Nothing of the bombs was stored.
        names = {c["metadata"]["name"] for c in server.get_json("/debug/configz")}
        assert "bomb" not in names
    finally:
        server.stop()


def test_oversized_body_gets_413_with_urllib():
    server = FairwayServer("--max-body-bytes", "1048576")
    try:
        for size in (2 << 20, 20 << 20):
            request = urllib.request.Request(server.admin_url + "/apply", data=b"a" * size, method="POST",
                                             headers={"Content-Type": "application/yaml"})
            start = time.monotonic()
            with pytest.raises(urllib.error.HTTPError) as raised:
                urllib.request.urlopen(request, timeout=30)
            elapsed = time.monotonic() - start
            assert raised.value.code == 413
            assert "exceeds the limit of 1048576 bytes" in json.loads(raised.value.read())["error"]
            assert elapsed < 5, f"{size} bytes: 413 after {elapsed:.1f}s"
        # The server is fine afterwards.
        assert server.request("POST", "/apply", ratings().encode())[0] == 200
    finally:
        server.stop()


def closed_within(sock: socket.socket, seconds: float, trickle: bytes = b"") -> float | None:
    """Seconds until the server closes `sock` (sending `trickle` a byte at a time), or None."""
    start = time.monotonic()
    sock.settimeout(0.2)
    position = 0
    while time.monotonic() - start < seconds:
        if position < len(trickle):
            try:
                sock.sendall(trickle[position:position + 1])
            except OSError:
                return time.monotonic() - start
            position += 1
        try:
            if sock.recv(4096) == b"":
                return time.monotonic() - start
        except socket.timeout:
            continue
        except OSError:
            return time.monotonic() - start
    return None


def test_slowloris_and_idle_connections_are_closed():
    server = FairwayServer("--admin-header-timeout-seconds", "1", "--admin-idle-timeout-seconds", "1.5",
                           "--admin-request-timeout-seconds", "1")
    try:
        port = server.admin_port
        # A head trickled a byte every 0.2 s never completes in time.
        loris = socket.create_connection(("127.0.0.1", port))
        head = b"GET /healthz/ready HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
        elapsed = closed_within(loris, 6, trickle=head)
        assert elapsed is not None and elapsed < 3, f"slowloris still open after {elapsed}"
        loris.close()

        # A body that stops arriving.
        slow_body = socket.create_connection(("127.0.0.1", port))
        slow_body.sendall(b"POST /apply HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + b"a" * 10)
        elapsed = closed_within(slow_body, 6)
        assert elapsed is not None and elapsed < 3, f"stalled body still open after {elapsed}"
        slow_body.close()

        # Many connections: some never speak, some finish a request and stay idle.
        silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(150)]
        idle = []
        for _ in range(50):
            conn = socket.create_connection(("127.0.0.1", port))
            conn.sendall(b"GET /healthz/ready HTTP/1.1\r\nHost: x\r\n\r\n")
            conn.settimeout(5)
            assert b"200" in conn.recv(4096).split(b"\r\n")[0]
            idle.append(conn)
        # The server still answers while they are open.
        assert server.request("GET", "/healthz/ready")[0] == 200
        start = time.monotonic()
        remaining = set(silent + idle)
        while remaining and time.monotonic() - start < 8:
            for conn in list(remaining):
                conn.settimeout(0.01)
                try:
                    if conn.recv(4096) == b"":
                        remaining.discard(conn)
                except socket.timeout:
                    pass
                except OSError:
                    remaining.discard(conn)
            time.sleep(0.05)
        took = time.monotonic() - start
        for conn in silent + idle:
            conn.close()
        assert not remaining, f"{len(remaining)} of 200 connections still open after {took:.1f}s"
        print(f"\n200 silent/idle admin connections closed within {took:.1f}s")
        # A connection that keeps working is not cut: requests 0.5 s apart under a 1.5 s idle timeout.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        for _ in range(5):
            conn.request("GET", "/healthz/ready")
            assert conn.getresponse().read() == b"ok\n"
            time.sleep(0.5)
        conn.close()
    finally:
        server.stop()
