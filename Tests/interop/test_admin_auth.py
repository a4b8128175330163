"""Admin tokens with real clients: curl and the fairway CLI, including the refusals."""

import json
import os
import subprocess

import pytest

from fairway_server import FairwayServer, fairway_binary
from mesh_fixtures import ratings

TOKEN = "s3cret-token"


def curl(*args: str) -> tuple[int, dict | str]:
    out = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", *args], capture_output=True, text=True, timeout=20)
    body, _, code = out.stdout.rpartition("\n")
    try:
        return int(code), json.loads(body)
    except ValueError:
        return int(code), body


@pytest.fixture(params=["flag", "file"])
def protected(request, tmp_path):
    if request.param == "flag":
        server = FairwayServer("--admin-token", TOKEN, token=TOKEN)
    else:
        path = str(tmp_path / "token")
        with open(path, "w") as f:
            f.write(TOKEN + "\n")
        server = FairwayServer("--admin-token-file", path, token=TOKEN)
    yield server
    server.stop()


def test_mutations_and_debug_need_the_token(protected):
    url = protected.admin_url
    body = ratings()
    code, error = curl("-X", "POST", "--data-binary", body, "-H", "Content-Type: application/yaml", f"{url}/apply")
    assert code == 401 and error["error"] == "authentication required", error
    assert error["details"][0]["field"] == "Authorization"
    code, error = curl("-X", "POST", "--data-binary", body, "-H", "Authorization: Bearer wrong", f"{url}/apply")
    assert code == 403 and error["error"] == "invalid admin token", error
    code, _ = curl(f"{url}/debug/syncz")
    assert code == 401
    code, _ = curl("-X", "DELETE", f"{url}/apis/networking.istio.io/v1/namespaces/default/serviceentries/ratings")
    assert code == 401
    assert protected.get_json("/debug/configz") == [], "nothing was stored by refused calls"

    code, result = curl("-X", "POST", "--data-binary", body, "-H", f"Authorization: Bearer {TOKEN}", f"{url}/apply")
    assert code == 200, result
    # Probes and reads stay open.
    assert curl(f"{url}/healthz/ready")[0] == 200
    assert curl(f"{url}/apis/networking.istio.io/v1/serviceentries")[0] == 200


def test_cli_sends_the_token(protected, tmp_path):
    manifest = tmp_path / "ratings.yaml"
    manifest.write_text(ratings())
    env = {k: v for k, v in os.environ.items() if k != "FAIRWAY_ADMIN_TOKEN"}
    base = [fairway_binary(), "apply", "-f", str(manifest), "--server", protected.admin_url]
    refused = subprocess.run(base, capture_output=True, text=True, env=env, timeout=30)
    assert refused.returncode == 1 and "authentication required" in refused.stderr, refused.stderr
    ok = subprocess.run(base + ["--token", TOKEN], capture_output=True, text=True, env=env, timeout=30)
    assert ok.returncode == 0, ok.stderr
    via_env = subprocess.run(base, capture_output=True, text=True, env=dict(env, FAIRWAY_ADMIN_TOKEN=TOKEN), timeout=30)
    assert via_env.returncode == 0, via_env.stderr


def test_non_loopback_bind_without_token_refuses_to_start():
    # It must refuse before binding anything, so no traffic leaves loopback.
    out = subprocess.run([fairway_binary(), "serve", "--bind", "0.0.0.0", "--ads-port", "0", "--admin-port", "0"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 1
    assert "refusing to serve the admin API on 0.0.0.0 without a token" in out.stderr
