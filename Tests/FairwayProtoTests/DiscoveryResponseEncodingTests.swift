import FairwayProto
import Foundation
import SwiftProtobuf
import Testing

/// Encodes a realistic CDS response; the interop suite decodes the very same bytes with
/// Envoy's own protos (Tests/interop/test_discovery_encoding.py).
@Suite struct DiscoveryResponseEncodingTests {
  static let fixtureName = "discovery_response_cluster.bin"

  static func sampleCluster() -> Envoy_Config_Cluster_V3_Cluster {
    var cluster = Envoy_Config_Cluster_V3_Cluster()
    cluster.name = "outbound|9080|v1|reviews.default.svc.cluster.local"
    cluster.type = .eds
    cluster.edsClusterConfig.edsConfig.ads = Envoy_Config_Core_V3_AggregatedConfigSource()
    cluster.edsClusterConfig.edsConfig.resourceApiVersion = .v3
    cluster.edsClusterConfig.serviceName = cluster.name
    cluster.connectTimeout = Google_Protobuf_Duration(seconds: 10)
    cluster.lbPolicy = .leastRequest
    var thresholds = Envoy_Config_Cluster_V3_CircuitBreakers.Thresholds()
    thresholds.maxConnections = Google_Protobuf_UInt32Value(100)
    thresholds.maxRequests = Google_Protobuf_UInt32Value(1024)
    cluster.circuitBreakers.thresholds = [thresholds]
    cluster.outlierDetection.consecutive5Xx = Google_Protobuf_UInt32Value(7)
    cluster.outlierDetection.interval = Google_Protobuf_Duration(seconds: 30)
    cluster.commonLbConfig.localityWeightedLbConfig = .init()
    return cluster
  }

  static func sampleResponse() throws -> Envoy_Service_Discovery_V3_DiscoveryResponse {
    var response = Envoy_Service_Discovery_V3_DiscoveryResponse()
    response.versionInfo = "v1"
    response.typeURL = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
    response.nonce = "n-1"
    response.controlPlane.identifier = "fairway"
    response.resources = [try Google_Protobuf_Any(message: sampleCluster())]
    return response
  }

  @Test func clusterRoundTripsThroughAny() throws {
    let bytes: [UInt8] = try Self.sampleResponse().serializedBytes()
    let decoded = try Envoy_Service_Discovery_V3_DiscoveryResponse(serializedBytes: bytes)
    #expect(decoded.resources.count == 1)
    let cluster = try Envoy_Config_Cluster_V3_Cluster(unpackingAny: decoded.resources[0])
    #expect(cluster == Self.sampleCluster())
    #expect(cluster.unknownFields.data.isEmpty)
  }

  /// Writes the bytes for the Python side; `make test` runs Swift tests first.
  @Test func writeFixtureForEnvoyDecoding() throws {
    let bytes: [UInt8] = try Self.sampleResponse().serializedBytes()
    let directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
      .appendingPathComponent(".build/fixtures")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try Data(bytes).write(to: directory.appendingPathComponent(Self.fixtureName))
  }
}
