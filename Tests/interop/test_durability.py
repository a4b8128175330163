"""Nothing acknowledged is lost: SIGKILL at random points, torn journal tails, restarts."""

import json
import os
import pathlib
import random
import signal
import threading
import time

from ads_client import CDS, ADSStream, make_node
from fairway_server import FairwayServer
from mesh_fixtures import BASE, SIDECAR

KILLS = int(os.environ.get("FAIRWAY_KILLS", "20"))


def virtual_service(i: int) -> tuple[str, str]:
    name = f"vs-{i}"
    timeout = f"{i % 97 + 1}s"
    return name, f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: {name}, namespace: default}}
spec:
  hosts: [svc-{i}.example.com]
  http: [{{timeout: {timeout}, route: [{{destination: {{host: svc-{i}.example.com}}}}]}}]
"""


def stored_timeout(server: FairwayServer, name: str):
    status, body = server.request("GET", f"/apis/networking.istio.io/v1/namespaces/default/virtualservices/{name}")
    if status != 200:
        return None
    return json.loads(body)["spec"]["http"][0]["timeout"]


def stored_timeouts(server: FairwayServer) -> dict:
    """name -> timeout of every stored VirtualService, in one list call."""
    items = server.get_json("/apis/networking.istio.io/v1/virtualservices")
    items = items.get("items", items) if isinstance(items, dict) else items
    return {i["metadata"]["name"]: i["spec"]["http"][0]["timeout"] for i in items}


def test_sigkill_loses_no_acknowledged_config(tmp_path):
    data_dir = str(tmp_path)
    acknowledged: dict = {}
    next_index = 0
    rng = random.Random(7)
    for kill in range(KILLS):
        server = FairwayServer("--data-dir", data_dir)
        # Everything acknowledged before the last kill is back, with its content.
        stored = stored_timeouts(server)
        missing = [n for n, t in acknowledged.items() if stored.get(n) != t]
        assert not missing, f"after kill {kill}: lost {len(missing)} acknowledged configs, e.g. {missing[:5]}"
        stop = threading.Event()

        def writer():
            nonlocal next_index
            while not stop.is_set():
                i = next_index
                next_index += 1
                name, text = virtual_service(i)
                try:
                    status, _ = server.request("POST", "/apply", text.encode())
                except Exception:
                    return
                if status == 200:
                    acknowledged[name] = f"{i % 97 + 1}s"

        thread = threading.Thread(target=writer)
        thread.start()
        time.sleep(rng.uniform(0.05, 0.4))
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        stop.set()
        thread.join()
        server.stop()
    server = FairwayServer("--data-dir", data_dir)
    try:
        stored = stored_timeouts(server)
        present = sum(1 for n, t in acknowledged.items() if stored.get(n) == t)
        print(f"\n{KILLS} SIGKILLs: {len(acknowledged)} configs acknowledged, {present} present after restart")
        assert present == len(acknowledged) and len(acknowledged) > KILLS
    finally:
        server.stop()


def test_torn_last_record_is_dropped_and_earlier_ones_kept(tmp_path):
    data_dir = str(tmp_path)
    server = FairwayServer("--data-dir", data_dir)
    for i in range(5):
        server.apply(virtual_service(i)[1], wait=False)
    server.stop()
    journal = pathlib.Path(data_dir) / "journal.log"
    whole = journal.stat().st_size
    with journal.open("ab") as f:
        f.write(b"\x00\x00\x01\x00\xde\xad\xbe\xef{\"op\":\"apply\",\"revi")  # a record cut short
    server = FairwayServer("--data-dir", data_dir, "--log-level", "warning")
    try:
        assert [stored_timeout(server, f"vs-{i}") for i in range(5)] == [f"{i + 1}s" for i in range(5)]
        assert "torn" in server.logs()
        assert journal.stat().st_size == whole
        server.apply(virtual_service(5)[1], wait=False)
    finally:
        server.stop()
    server = FairwayServer("--data-dir", data_dir)
    try:
        assert stored_timeout(server, "vs-5") == "6s"
    finally:
        server.stop()


def test_restart_keeps_revision_and_resource_versions(tmp_path):
    data_dir = str(tmp_path)
    server = FairwayServer("--data-dir", data_dir)
    try:
        server.apply(BASE)
        revision = server.store_revision()
        s = ADSStream(server.ads_address, make_node(SIDECAR), delta=True)
        s.delta_request(CDS)
        versions = {r.name: r.version for r in s.receive().resources}
        s.close()
    finally:
        server.stop()
    server = FairwayServer("--data-dir", data_dir)
    try:
        assert server.store_revision() == revision
        server.wait_pushed()
        s = ADSStream(server.ads_address, make_node(SIDECAR), delta=True)
        s.delta_request(CDS, initial=versions)
        r = s.receive()
        assert list(r.resources) == [] and list(r.removed_resources) == [], r
        s.close()
    finally:
        server.stop()
