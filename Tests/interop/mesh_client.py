"""Runs inside a pod (mesh_net.Pod.http): reads a request spec as JSON on stdin, makes the
request(s) through the pod's network (so iptables sends them through the sidecar) and prints
the result(s) as JSON: {status, headers, body} or, with "count", a list of them. A connection
error is reported as status 0 with the error text as body."""

import http.client
import json
import sys
import time
import urllib.parse


def one(spec: dict) -> dict:
    url = urllib.parse.urlsplit(spec["url"])
    start = time.monotonic()
    connection = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=spec.get("timeout", 10))
    try:
        path = url.path or "/"
        if url.query:
            path += "?" + url.query
        body = spec.get("body") or None
        connection.request(spec.get("method", "GET"), path, body=body.encode() if body else None,
                           headers=spec.get("headers", {}))
        response = connection.getresponse()
        return {"status": response.status, "headers": {k.lower(): v for k, v in response.getheaders()},
                "body": response.read().decode(errors="replace"), "seconds": time.monotonic() - start}
    except (OSError, http.client.HTTPException) as error:
        return {"status": 0, "headers": {}, "body": f"{type(error).__name__}: {error}",
                "seconds": time.monotonic() - start}
    finally:
        connection.close()


def main() -> None:
    if sys.argv[1:] == ["--lines"]:
        # Long-lived (mesh_net.Pod.python_pipe): one spec per stdin line, one result per line.
        for line in sys.stdin:
            if line.strip():
                print(json.dumps(one(json.loads(line))), flush=True)
        return
    spec = json.load(sys.stdin)
    if "count" in spec:
        print(json.dumps([one(spec) for _ in range(int(spec["count"]))]))
    else:
        print(json.dumps(one(spec)))


if __name__ == "__main__":
    main()
