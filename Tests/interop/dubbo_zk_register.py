"""A Dubbo provider's registry side in its own process: `dubbo_zk_register.py HOSTS TIMEOUT_S
IP:PORT INTERFACE [KEY=VALUE...]` registers one ephemeral provider node with a session of
TIMEOUT_S, prints `registered`, and holds the session until killed (SIGKILL: the session then
expires on the server after its timeout, as when a provider crashes)."""

import sys
import time

from kazoo.client import KazooClient

from zookeeper_server import register

hosts, timeout, address, interface, *extra = sys.argv[1:]
ip, port = address.rsplit(":", 1)
client = KazooClient(hosts=hosts, timeout=float(timeout))
client.start(timeout=15)
register(client, ip, int(port), interface, **dict(item.split("=", 1) for item in extra))
print("registered", flush=True)
while True:
    time.sleep(3600)
