"""Runs inside a pod (mesh_net.Pod.http): reads a request spec as JSON on stdin, makes the
request(s) through the pod's network (so iptables sends them through the sidecar) and prints
the result(s) as JSON: {status, headers, body} or, with "count", a list of them. A connection
error is reported as status 0 with the error text as body.

Options: "parallel": N runs the count requests on N threads at once (results in completion
order); "compact": true keeps only status, the backend that answered (`x-served-by`), the time
of the response (`t`, wall clock) and `seconds`; "duration": S repeats the request until S
seconds have passed (with "interval" seconds between requests) instead of "count" times."""

import http.client
import json
import sys
import threading
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
        headers: dict[str, str] = {}
        for name, value in response.getheaders():  # a repeated header reads as one, comma-joined
            headers[name.lower()] = f"{headers[name.lower()]}, {value}" if name.lower() in headers else value
        result = {"status": response.status, "headers": headers,
                  "body": response.read().decode(errors="replace"), "seconds": time.monotonic() - start,
                  "t": time.time()}
    except (OSError, http.client.HTTPException) as error:
        result = {"status": 0, "headers": {}, "body": f"{type(error).__name__}: {error}",
                  "seconds": time.monotonic() - start, "t": time.time()}
    finally:
        connection.close()
    if spec.get("compact"):
        return {"status": result["status"], "served_by": result["headers"].get("x-served-by"),
                "t": result["t"], "seconds": result["seconds"]}
    return result


def many(spec: dict) -> list[dict]:
    if "duration" in spec:
        out, end = [], time.monotonic() + float(spec["duration"])
        while time.monotonic() < end:
            out.append(one(spec))
            time.sleep(float(spec.get("interval", 0)))
        return out
    count, parallel = int(spec["count"]), int(spec.get("parallel", 1))
    if parallel <= 1:
        return [one(spec) for _ in range(count)]
    results: list[dict] = []
    lock = threading.Lock()
    remaining = iter(range(count))

    def worker() -> None:
        while True:
            with lock:
                if next(remaining, None) is None:
                    return
            result = one(spec)
            with lock:
                results.append(result)

    threads = [threading.Thread(target=worker) for _ in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def main() -> None:
    if sys.argv[1:] == ["--lines"]:
        # Long-lived (mesh_net.Pod.python_pipe): one spec per stdin line, one result per line.
        for line in sys.stdin:
            if line.strip():
                print(json.dumps(one(json.loads(line))), flush=True)
        return
    spec = json.load(sys.stdin)
    if "count" in spec or "duration" in spec:
        print(json.dumps(many(spec)))
    else:
        print(json.dumps(one(spec)))


if __name__ == "__main__":
    main()
