import FairwayMesh
import FairwayProto
import SwiftProtobuf

/// Builds ClusterLoadAssignments: endpoints grouped by locality, each locality weighted by the
/// sum of its endpoints' weights (grpc skips a locality without a weight).
enum EndpointBuilder {
  typealias Assignment = Envoy_Config_Endpoint_V3_ClusterLoadAssignment

  static func loadAssignment(
    clusterName: String, endpoints: [MeshEndpoint], port: MeshPort, flavor: ClientFlavor
  ) -> Assignment {
    var assignment = Assignment()
    assignment.clusterName = clusterName
    var groups: [EndpointLocality: [Envoy_Config_Endpoint_V3_LbEndpoint]] = [:]
    var weights: [EndpointLocality: UInt32] = [:]
    for endpoint in endpoints {
      guard let lbEndpoint = lbEndpoint(endpoint, port: port, flavor: flavor) else { continue }
      groups[endpoint.locality, default: []].append(lbEndpoint)
      let (sum, overflow) = weights[endpoint.locality, default: 0]
        .addingReportingOverflow(endpoint.weight)
      weights[endpoint.locality] = overflow ? UInt32.max : sum
    }
    for locality in groups.keys.sorted() {
      var group = Envoy_Config_Endpoint_V3_LocalityLbEndpoints()
      var envoyLocality = Envoy_Config_Core_V3_Locality()
      envoyLocality.region = locality.region
      envoyLocality.zone = locality.zone
      envoyLocality.subZone = locality.subZone
      group.locality = envoyLocality
      group.lbEndpoints = groups[locality] ?? []
      group.loadBalancingWeight = Google_Protobuf_UInt32Value(weights[locality] ?? 1)
      assignment.endpoints.append(group)
    }
    return assignment
  }

  /// nil for an endpoint this client cannot use (grpc takes IP addresses only).
  static func lbEndpoint(_ endpoint: MeshEndpoint, port: MeshPort, flavor: ClientFlavor)
    -> Envoy_Config_Endpoint_V3_LbEndpoint?
  {
    var address = Envoy_Config_Core_V3_Address()
    if let path = endpoint.unixSocketPath {
      guard flavor == .sidecar, !path.isEmpty else { return nil }
      var pipe = Envoy_Config_Core_V3_Pipe()
      pipe.path = path
      address.pipe = pipe
    } else {
      if flavor == .grpc, !HostName.isIPAddress(endpoint.address) { return nil }
      var socket = Envoy_Config_Core_V3_SocketAddress()
      socket.address = endpoint.address
      socket.portValue = endpoint.port(for: port)
      address.socketAddress = socket
    }
    var lbEndpoint = Envoy_Config_Endpoint_V3_LbEndpoint()
    lbEndpoint.endpoint.address = address
    lbEndpoint.healthStatus = .healthy
    lbEndpoint.loadBalancingWeight = Google_Protobuf_UInt32Value(endpoint.weight)
    return lbEndpoint
  }
}

extension EndpointBuilder {
  /// An assignment from locality groups already weighted and prioritized (locality load
  /// balancing); endpoints this client cannot use are left out, and a group left empty with
  /// them.
  static func loadAssignment(
    clusterName: String, groups: [LocalityLoadBalancer.Group], port: MeshPort,
    flavor: ClientFlavor
  ) -> Assignment {
    var assignment = Assignment()
    assignment.clusterName = clusterName
    for group in groups {
      let endpoints = group.endpoints.compactMap { lbEndpoint($0, port: port, flavor: flavor) }
      guard !endpoints.isEmpty else { continue }
      var envoyGroup = Envoy_Config_Endpoint_V3_LocalityLbEndpoints()
      var envoyLocality = Envoy_Config_Core_V3_Locality()
      envoyLocality.region = group.locality.region
      envoyLocality.zone = group.locality.zone
      envoyLocality.subZone = group.locality.subZone
      envoyGroup.locality = envoyLocality
      envoyGroup.lbEndpoints = endpoints
      envoyGroup.loadBalancingWeight = Google_Protobuf_UInt32Value(max(group.weight, 1))
      envoyGroup.priority = group.priority
      assignment.endpoints.append(envoyGroup)
    }
    return assignment
  }
}
