"""The Dubbo registry with several replicas over etcd (issue 22 with issue 23's store): every
replica watches ZooKeeper, only the one holding the etcd lease
`/fairway/configs-owners/dubbo-zookeeper` (EtcdOwnership) writes; when it stops, another takes
over and keeps the registry in step. Real ZooKeeper, real etcd, two real `fairway serve`."""

from __future__ import annotations

import time

from kazoo.client import KazooClient

from etcd_server import EtcdServer
from fairway_server import FairwayServer
from zookeeper_server import ZooKeeperServer, register

INTERFACE = "org.example.Greeter"
WE_PATH = "/apis/networking.istio.io/v1/namespaces/dubbo/workloadentries"
OWNER_KEY = "/fairway/configs-owners/dubbo-zookeeper"


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def owned(replica: FairwayServer) -> dict[str, str]:
    """name -> resourceVersion of every registry-owned object (ServiceEntries, WorkloadEntries)."""
    return {f'{o["kind"]}/{o["metadata"]["name"]}': o["metadata"]["resourceVersion"]
            for o in replica.get_json("/debug/configz")
            if o["metadata"].get("labels", {}).get("fairway.io/managed-by") == "dubbo-zookeeper"}


def addresses(replica: FairwayServer) -> list[str]:
    return sorted(o["spec"]["address"] for o in replica.get_json(WE_PATH)["items"]
                  if o["metadata"].get("labels", {}).get("fairway.io/managed-by") == "dubbo-zookeeper")


def test_one_replica_writes_and_another_takes_over():
    with ZooKeeperServer() as zk:
        etcd = EtcdServer()
        replicas = []
        kazoo = KazooClient(hosts=zk.hosts, timeout=10)
        try:
            for _ in range(2):
                replicas.append(FairwayServer("--store", etcd.url, "--dubbo-zookeeper", zk.hosts))
            kazoo.start(timeout=15)
            register(kazoo, "10.1.0.1", 20880, INTERFACE)
            register(kazoo, "10.1.0.2", 20880, INTERFACE)
            for replica in replicas:
                wait_for(lambda: addresses(replica) == ["10.1.0.1", "10.1.0.2"], 20, "both providers on a replica")
            owner = wait_for(lambda: etcd.etcdctl("get", OWNER_KEY, "--print-value-only").strip(), 15,
                             "an owner in etcd")
            [writer] = [r for r in replicas if owner.endswith(f"-{r.process.pid}")]
            [other] = [r for r in replicas if r is not writer]
            before = owned(other)
            assert len(before) == 3  # one ServiceEntry, two WorkloadEntries
            # The writer stops (SIGTERM: it revokes its lease); the other one takes over.
            writer.stop()
            register(kazoo, "10.1.0.3", 20880, INTERFACE)
            wait_for(lambda: addresses(other) == ["10.1.0.1", "10.1.0.2", "10.1.0.3"], 20,
                     "the provider registered after the hand-over")
            new_owner = etcd.etcdctl("get", OWNER_KEY, "--print-value-only").strip()
            assert new_owner.endswith(f"-{other.process.pid}"), new_owner
            # Taking over rewrote nothing that was already right: the same objects at the same
            # resourceVersions, plus the new provider's WorkloadEntry.
            after = owned(other)
            assert {k: v for k, v in after.items() if k in before} == before
            assert len(after) == 4
        finally:
            kazoo.stop()
            kazoo.close()
            for replica in replicas:
                if replica.process.poll() is None:
                    replica.stop()
            etcd.close()
