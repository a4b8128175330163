"""Runs inside a pod: one HTTPS request with a chosen SNI, verifying the server against a CA.
Reads JSON on stdin: {address, port, sni, ca, path, headers, cert, key}; prints
{status, headers, body, peer_subject} or status 0 with the error as body."""

import http.client
import json
import socket
import ssl
import sys

spec = json.load(sys.stdin)
result: dict
try:
    context = ssl.create_default_context(cafile=spec["ca"])
    if spec.get("cert"):
        context.load_cert_chain(spec["cert"], spec["key"])
    raw = socket.create_connection((spec["address"], int(spec["port"])), timeout=spec.get("timeout", 10))
    wrapped = context.wrap_socket(raw, server_hostname=spec["sni"])
    peer = wrapped.getpeercert() or {}
    connection = http.client.HTTPConnection(spec["sni"], int(spec["port"]), timeout=spec.get("timeout", 10))
    connection.sock = wrapped
    connection.request("GET", spec.get("path", "/"), headers=spec.get("headers") or {"host": spec["sni"]})
    response = connection.getresponse()
    result = {"status": response.status, "headers": {k.lower(): v for k, v in response.getheaders()},
              "body": response.read().decode(errors="replace"),
              "peer_subject": dict(item[0] for item in peer.get("subject", ())).get("commonName")}
except (OSError, ssl.SSLError, http.client.HTTPException) as error:
    result = {"status": 0, "headers": {}, "body": f"{type(error).__name__}: {error}", "peer_subject": None}
print(json.dumps(result))
