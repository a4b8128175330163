"""Bytes encoded by Fairway's generated Swift code, decoded by Envoy's own protos."""

import pathlib

import pytest
from envoy.config.cluster.v3 import cluster_pb2
from envoy.service.discovery.v3 import discovery_pb2

from strict_decode import assert_no_unknown_fields

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / ".build/fixtures/discovery_response_cluster.bin"


def test_swift_encoded_cds_response_decodes_with_envoy_protos():
    if not FIXTURE.exists():
        pytest.fail(f"{FIXTURE} missing: the Swift tests write it (run `make test`)")
    response = discovery_pb2.DiscoveryResponse()
    response.ParseFromString(FIXTURE.read_bytes())
    assert_no_unknown_fields(response)
    assert response.type_url == "type.googleapis.com/envoy.config.cluster.v3.Cluster"
    assert response.version_info == "v1" and response.nonce == "n-1"
    assert response.control_plane.identifier == "fairway"
    assert len(response.resources) == 1
    cluster = cluster_pb2.Cluster()
    assert response.resources[0].Unpack(cluster)
    assert_no_unknown_fields(cluster)
    assert cluster.name == "outbound|9080|v1|reviews.default.svc.cluster.local"
    assert cluster.type == cluster_pb2.Cluster.EDS
    assert cluster.eds_cluster_config.eds_config.HasField("ads")
    assert cluster.eds_cluster_config.service_name == cluster.name
    assert cluster.connect_timeout.seconds == 10
    assert cluster.lb_policy == cluster_pb2.Cluster.LEAST_REQUEST
    assert cluster.circuit_breakers.thresholds[0].max_connections.value == 100
    assert cluster.circuit_breakers.thresholds[0].max_requests.value == 1024
    assert cluster.outlier_detection.consecutive_5xx.value == 7
    assert cluster.outlier_detection.interval.seconds == 30
    assert cluster.common_lb_config.HasField("locality_weighted_lb_config")
