"""`fairway analyze` against files, a real server's store, and files on top of it."""

import json
import subprocess

import pytest

from fairway_server import FairwayServer, fairway_binary, free_port
from mesh_fixtures import BASE, REVIEWS

ROUTE_V1_V3 = f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: reviews, namespace: default}}
spec:
  hosts: [{REVIEWS}]
  http:
  - route:
    - destination: {{host: {REVIEWS}, subset: v1}}
      weight: 50
    - destination: {{host: {REVIEWS}, subset: v3}}
      weight: 50
"""

ROUTE_V1_V2 = ROUTE_V1_V3.replace("subset: v3", "subset: v2")

SECOND_RULE = f"""apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: reviews-extra, namespace: aaa}}
spec:
  host: {REVIEWS}
"""

FAILED_ISSUES = 79
FILE_PARSE_ERROR = 65


def analyze(*args, server=None):
    url = server.admin_url if server else f"http://127.0.0.1:{free_port()}"
    return subprocess.run([fairway_binary(), "analyze", "--server", url, *args],
                          capture_output=True, text=True, timeout=60)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.fixture(scope="module")
def server():
    server = FairwayServer()
    server.apply(BASE)
    server.apply(ROUTE_V1_V3)
    try:
        yield server
    finally:
        server.stop()


def test_live_store_missing_subset_exits_79(server):
    result = analyze(server=server)
    assert result.returncode == FAILED_ISSUES, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines == [
        "Error [IST0101] (VirtualService default/reviews) spec.http[0].route[1].destination.subset: "
        f"Referenced host+subset in destinationrule not found: \"{REVIEWS}+v3\" "
        "(DestinationRule default/reviews applies to the host)"
    ]


def test_files_on_top_of_live_store_replace_the_same_key(server, tmp_path):
    fixed = write(tmp_path, "fix.yaml", ROUTE_V1_V2)
    result = analyze("-f", fixed, "--live", server=server)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "No validation issues found" in result.stderr
    # The store itself is untouched: analyzing it alone still fails.
    assert analyze(server=server).returncode == FAILED_ISSUES


def test_offline_files_need_no_server(tmp_path):
    directory = tmp_path / "mesh"
    directory.mkdir()
    (directory / "base.yaml").write_text(BASE)
    (directory / "route.yaml").write_text(ROUTE_V1_V2)
    clean = analyze("-f", str(directory))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    (directory / "rule.yaml").write_text(SECOND_RULE)
    warned = analyze("-f", str(directory))
    assert warned.returncode == 0, "a Warning is below the default Error threshold"
    assert "Warning [FW0101] (DestinationRule aaa/reviews-extra rule.yaml) spec.host:" in warned.stdout
    assert "Fairway applies only default/reviews" in warned.stdout
    strict = analyze("-f", str(directory), "--failure-threshold", "Warning")
    assert strict.returncode == FAILED_ISSUES
    quiet = analyze("-f", str(directory), "--output-threshold", "Error")
    assert quiet.stdout == "" and quiet.returncode == 0


def test_json_output_names_object_and_field(tmp_path):
    path = write(tmp_path, "mesh.yaml", BASE + "---\n" + ROUTE_V1_V3)
    result = analyze("-f", path, "-o", "json")
    assert result.returncode == FAILED_ISSUES
    messages = json.loads(result.stdout)
    assert len(messages) == 1
    message = messages[0]
    assert message["code"] == "IST0101" and message["level"] == "Error"
    assert message["name"] == "ReferencedResourceNotFound"
    assert message["origin"] == "VirtualService default/reviews"
    assert (message["kind"], message["namespace"], message["resourceName"]) == (
        "VirtualService", "default", "reviews")
    assert message["field"] == "spec.http[0].route[1].destination.subset"
    assert message["source"] == "mesh.yaml"
    assert message["documentationUrl"].endswith("/ist0101/")


def test_schema_errors_and_unparsable_files(tmp_path):
    bad_weights = ROUTE_V1_V2.replace("weight: 50\n    - destination", "weight: 10\n    - destination", 1)
    schema = analyze("-f", write(tmp_path, "weights.yaml", BASE + "---\n" + bad_weights))
    assert schema.returncode == FAILED_ISSUES
    assert "Error [IST0106] (VirtualService default/reviews weights.yaml) spec.http[0]" in schema.stdout

    garbage = write(tmp_path, "garbage.yaml", "kind: [unclosed\n")
    good = write(tmp_path, "good.yaml", BASE)
    parse = analyze("-f", garbage, "-f", good)
    assert parse.returncode == FILE_PARSE_ERROR
    assert "garbage.yaml" in parse.stderr


def test_list_analyzers():
    result = analyze("--list-analyzers")
    assert result.returncode == 0
    for code in ("IST0101", "IST0109", "IST0118", "IST0127", "IST0173", "IST0174", "FW0101", "FW0102", "FW0103"):
        assert code in result.stdout


def test_unreachable_server_is_a_plain_failure():
    result = analyze()
    assert result.returncode == 1
    assert "cannot reach" in result.stderr


def test_apply_analyze_prints_kubectl_warnings_and_exits_0(tmp_path):
    """`fairway apply --analyze`: the messages about the applied objects on stderr, like
    kubectl's admission warnings; the apply is not rejected."""
    server = FairwayServer()
    try:
        server.apply(BASE)
        server.apply(SECOND_RULE.replace(f"host: {REVIEWS}", "host: nowhere.example.com"))
        url = server.admin_url
        route = write(tmp_path, "route.yaml", ROUTE_V1_V3)
        result = subprocess.run([fairway_binary(), "apply", "--server", url, "-f", route, "--analyze"],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "virtualservice.networking.istio.io/reviews created (namespace default)" in result.stdout
        assert result.stderr.splitlines() == [
            "Warning: IST0101 Error (VirtualService default/reviews) "
            "spec.http[0].route[1].destination.subset: "
            f"Referenced host+subset in destinationrule not found: \"{REVIEWS}+v3\" "
            "(DestinationRule default/reviews applies to the host)"
        ], "only the applied object's message, not the unrelated rule's IST0174"
        status, body = server.request("GET", "/apis/networking.istio.io/v1/namespaces/default/virtualservices/reviews")
        assert status == 200 and b"v3" in body

        fixed = write(tmp_path, "fixed.yaml", ROUTE_V1_V2)
        clean = subprocess.run([fairway_binary(), "apply", "--server", url, "-f", fixed, "--analyze"],
                               capture_output=True, text=True, timeout=60)
        assert clean.returncode == 0 and clean.stderr == "", clean.stderr
    finally:
        server.stop()
