"""Nothing acknowledged is lost when the disk fills up, and a damaged journal is refused.

The disk-full test mounts a 2 MiB tmpfs (root, or a user with CAP_SYS_ADMIN, needed; it skips
with a message otherwise), fills it with a filler file, applies until ENOSPC, frees the space,
applies more, and restarts: every 2xx config is back, no errored one, at the revision the last
2xx reported.
"""

import json
import os
import pathlib
import signal
import subprocess

import pytest

from fairway_server import FairwayServer, fairway_binary, free_port


def virtual_service(name: str, padding: int) -> str:
    # A large annotation makes each journal record about `padding` bytes.
    return f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: {name}, namespace: default, annotations: {{pad: "{'x' * padding}"}}}}
spec:
  hosts: [{name}.example.com]
  http: [{{timeout: 5s, route: [{{destination: {{host: {name}.example.com}}}}]}}]
"""


@pytest.fixture
def small_disk(tmp_path):
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(path: pathlib.Path, leave: int) -> None:
    """Writes a filler file that leaves about `leave` bytes free."""
    stats = os.statvfs(path.parent)
    free = stats.f_bavail * stats.f_frsize
    with open(path, "wb") as f:
        f.write(b"\0" * max(free - leave, 0))


def test_disk_full_loses_no_acknowledged_config_and_keeps_no_failed_one(small_disk):
    data_dir = small_disk / "data"
    filler = small_disk / "filler"
    server = FairwayServer("--data-dir", str(data_dir))
    acknowledged: dict[str, int] = {}
    failed: list[str] = []
    try:
        fill(filler, leave=120_000)
        # Apply until the disk is full and a few more: all of those must fail, with a 503.
        for i in range(200):
            name = f"full-{i}"
            status, body = server.request("POST", "/apply", virtual_service(name, 20_000).encode())
            if status == 200:
                assert not failed, f"{name} succeeded after a failure with the disk still full"
                acknowledged[name] = int(json.loads(body)["revision"])
            else:
                assert status == 503, f"{name}: {status} {body[:300]!r}"
                assert b"No space left on device" in body, body[:300]
                failed.append(name)
                if len(failed) == 5:
                    break
        assert acknowledged, "nothing fit on the disk: the test's sizes are wrong"
        assert len(failed) == 5, "the disk never filled up"
        # Space again: the journal carries on after the failures, nothing partial in between.
        filler.unlink()
        for i in range(20):
            name = f"after-{i}"
            status, body = server.request("POST", "/apply", virtual_service(name, 20_000).encode())
            assert status == 200, f"{name}: {status} {body[:300]!r}"
            acknowledged[name] = int(json.loads(body)["revision"])
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0
    finally:
        server.stop()

    revisions = sorted(acknowledged.values())
    assert revisions == list(range(1, len(acknowledged) + 1)), "a failed write consumed or reused a revision"
    restarted = FairwayServer("--data-dir", str(data_dir))
    try:
        for name in acknowledged:
            status, _ = restarted.request("GET", f"/apis/networking.istio.io/v1/namespaces/default/virtualservices/{name}")
            assert status == 200, f"acknowledged {name} lost at restart"
        for name in failed:
            status, _ = restarted.request("GET", f"/apis/networking.istio.io/v1/namespaces/default/virtualservices/{name}")
            assert status == 404, f"{name} was refused but came back at restart"
        assert restarted.store_revision() == len(acknowledged)
    finally:
        restarted.stop()


def run_fairway(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([fairway_binary(), *args], capture_output=True, text=True, timeout=60)


def test_flipped_byte_in_the_middle_is_reported_and_refused_until_repaired(tmp_path):
    data_dir = tmp_path / "data"
    server = FairwayServer("--data-dir", str(data_dir))
    try:
        for i in range(30):
            server.apply(virtual_service(f"vs-{i}", 100), wait=False)
    finally:
        server.stop()
    journal = data_dir / "journal.log"
    clean = run_fairway("journal", "check", "--data-dir", str(data_dir))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "30 good records" in clean.stdout and "revision at start: 30" in clean.stdout

    data = bytearray(journal.read_bytes())
    middle = len(data) // 2
    data[middle] ^= 0x20
    journal.write_bytes(bytes(data))

    check = run_fairway("journal", "check", "--data-dir", str(data_dir))
    assert check.returncode == 1, check.stdout + check.stderr
    assert "damaged record at offset" in check.stdout, check.stdout

    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        serve = subprocess.run([fairway_binary(), "serve", "--data-dir", str(data_dir), "--ads-port", str(free_port()),
                                "--admin-port", str(free_port())], stdout=out, stderr=subprocess.STDOUT, timeout=60)
    message = log.read_text()
    assert serve.returncode != 0, message
    assert f"{journal} is damaged" in message and "fairway journal repair --data-dir" in message, message
    assert journal.read_bytes() == bytes(data), "a refused start changed the journal"

    repair = run_fairway("journal", "repair", "--data-dir", str(data_dir))
    assert repair.returncode == 0, repair.stdout + repair.stderr
    side = list(data_dir.glob("journal.log.damaged-*"))
    assert len(side) == 1 and side[0].stat().st_size > 0
    kept = int(repair.stdout.split("kept: ")[1].split()[0])
    assert 0 < kept < 30
    restarted = FairwayServer("--data-dir", str(data_dir))
    try:
        assert restarted.store_revision() == kept
    finally:
        restarted.stop()
