import FairwayMesh
import FairwayResources

/// Everything one EDS cluster's ClusterLoadAssignment is computed from. Two translators with
/// equal inputs for a cluster produce equal bytes, so the later one reuses the earlier encoding
/// instead of building and serializing it again.
struct EndpointInput: Sendable, Equatable {
  let clusterName: String
  let port: MeshPort
  /// The subset's labels; empty for the service-wide cluster.
  let subsetLabels: [String: String]
  /// Already filtered by the subset labels, sorted.
  let endpoints: [MeshEndpoint]
  /// True when grpc would see the same assignment as a sidecar (only IP endpoints), so one
  /// encoding serves both.
  let isSameForAllFlavors: Bool

  init(
    clusterName: String, port: MeshPort, subsetLabels: [String: String], endpoints: [MeshEndpoint]
  ) {
    self.clusterName = clusterName
    self.port = port
    self.subsetLabels = subsetLabels
    self.endpoints = endpoints
    self.isSameForAllFlavors = endpoints.allSatisfy {
      $0.unixSocketPath == nil && HostName.isIPAddress($0.address)
    }
  }

  /// The assignment's wire bytes, written directly (see `AssignmentEncoder`).
  func encoded(flavor: ClientFlavor) -> EncodedResource {
    EncodedResource(
      name: clusterName, type: .endpoint,
      bytes: AssignmentEncoder.encode(
        clusterName: clusterName, endpoints: endpoints, port: port, flavor: flavor))
  }

  func assignment(flavor: ClientFlavor) -> EndpointBuilder.Assignment {
    EndpointBuilder.loadAssignment(
      clusterName: clusterName, endpoints: endpoints, port: port, flavor: flavor)
  }
}
