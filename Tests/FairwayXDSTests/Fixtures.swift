import FairwayProto
import FairwayResources
import Foundation
import SwiftProtobuf

@testable import FairwayXDS

/// Small builders shared by the XDS tests.
enum Fixtures {
  static func cluster(_ name: String, timeout: Int64 = 1) -> EncodedResource {
    var cluster = Envoy_Config_Cluster_V3_Cluster()
    cluster.name = name
    cluster.connectTimeout = Google_Protobuf_Duration(seconds: timeout)
    return (try? EncodedResource(name: name, type: .cluster, message: cluster))
      ?? EncodedResource(name: name, type: .cluster, bytes: [])
  }

  static func endpoints(_ name: String, port: UInt32 = 80) -> EncodedResource {
    var assignment = Envoy_Config_Endpoint_V3_ClusterLoadAssignment()
    assignment.clusterName = name
    var endpoint = Envoy_Config_Endpoint_V3_LbEndpoint()
    endpoint.endpoint.address.socketAddress.address = "10.0.0.1"
    endpoint.endpoint.address.socketAddress.portValue = port
    var locality = Envoy_Config_Endpoint_V3_LocalityLbEndpoints()
    locality.lbEndpoints = [endpoint]
    assignment.endpoints = [locality]
    return (try? EncodedResource(name: name, type: .endpoint, message: assignment))
      ?? EncodedResource(name: name, type: .endpoint, bytes: [])
  }

  static func sotwRequest(
    _ type: XDSResourceType, names: [String] = [], nonce: String = "", version: String = "",
    error: String? = nil, node: String? = nil
  ) -> Envoy_Service_Discovery_V3_DiscoveryRequest {
    var request = Envoy_Service_Discovery_V3_DiscoveryRequest()
    request.typeURL = type.typeURL
    request.resourceNames = names
    request.responseNonce = nonce
    request.versionInfo = version
    if let error {
      request.errorDetail.code = 3
      request.errorDetail.message = error
    }
    if let node { request.node.id = node }
    return request
  }

  static func deltaRequest(
    _ type: XDSResourceType, subscribe: [String] = [], unsubscribe: [String] = [],
    nonce: String = "", initial: [String: String] = [:], error: String? = nil
  ) -> Envoy_Service_Discovery_V3_DeltaDiscoveryRequest {
    var request = Envoy_Service_Discovery_V3_DeltaDiscoveryRequest()
    request.typeURL = type.typeURL
    request.resourceNamesSubscribe = subscribe
    request.resourceNamesUnsubscribe = unsubscribe
    request.responseNonce = nonce
    request.initialResourceVersions = initial
    if let error {
      request.errorDetail.code = 3
      request.errorDetail.message = error
    }
    return request
  }

  static func decodeSotW(_ outgoing: OutgoingResponse?) throws
    -> Envoy_Service_Discovery_V3_DiscoveryResponse?
  {
    guard let outgoing else { return nil }
    return try Envoy_Service_Discovery_V3_DiscoveryResponse(serializedBytes: outgoing.message.bytes)
  }

  static func decodeDelta(_ outgoing: OutgoingResponse?) throws
    -> Envoy_Service_Discovery_V3_DeltaDiscoveryResponse?
  {
    guard let outgoing else { return nil }
    return try Envoy_Service_Discovery_V3_DeltaDiscoveryResponse(
      serializedBytes: outgoing.message.bytes)
  }
}
