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
  /// The DestinationRule's locality load balancing for this cluster, when it shapes the
  /// assignment: then each proxy locality gets its own (`encoded(flavor:proxy:)`).
  let localityPolicy: LocalityPolicy?

  init(
    clusterName: String, port: MeshPort, subsetLabels: [String: String], endpoints: [MeshEndpoint],
    localityPolicy: LocalityPolicy? = nil
  ) {
    self.clusterName = clusterName
    self.port = port
    self.subsetLabels = subsetLabels
    self.endpoints = endpoints
    self.localityPolicy = localityPolicy
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

  /// The assignment a proxy at `proxy` gets under the locality policy: priorities and
  /// weights per locality (`LocalityLoadBalancer`). Same as `encoded(flavor:)` without one.
  func encoded(flavor: ClientFlavor, proxy: ProxyLocality) -> EncodedResource {
    guard localityPolicy != nil else { return encoded(flavor: flavor) }
    return MeshTranslator.encode(
      clusterName, .endpoint, assignment(flavor: flavor, proxy: proxy))
      ?? encoded(flavor: flavor)
  }

  func assignment(flavor: ClientFlavor, proxy: ProxyLocality) -> EndpointBuilder.Assignment {
    guard let localityPolicy else { return assignment(flavor: flavor) }
    // Left out first, so priorities stay gapless for what this client receives.
    let usable = endpoints.filter {
      EndpointBuilder.lbEndpoint($0, port: port, flavor: flavor) != nil
    }
    return EndpointBuilder.loadAssignment(
      clusterName: clusterName,
      groups: LocalityLoadBalancer.apply(localityPolicy, to: usable, proxy: proxy), port: port,
      flavor: flavor)
  }

  func assignment(flavor: ClientFlavor) -> EndpointBuilder.Assignment {
    EndpointBuilder.loadAssignment(
      clusterName: clusterName, endpoints: endpoints, port: port, flavor: flavor)
  }
}
