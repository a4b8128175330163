import FairwayMesh

/// One sidecar route configuration before rendering: the port it is named after and its
/// virtual hosts in order (see `RouteBuilder.sidecarRoutePlans`).
struct SidecarRoutePlan: Sendable {
  /// One virtual host of the configuration.
  enum Host: Sendable {
    /// A service's host on the port, answering to `domains` (already free of duplicates).
    case service(MeshService, MeshPort, domains: [String])
    /// A MOSN Dubbo service in the HTTP shape MOSN reads.
    case dubbo(MeshService, MeshPort)
    /// The catch-all to the original destination (ALLOW_ANY).
    case allowAny
    /// The catch-all that refuses unknown hosts (a REGISTRY_ONLY Sidecar's `block_all`).
    case blockAll
  }

  let port: UInt32
  let hosts: [Host]

  /// The route configuration's name: the port number (`"8080"`), as Istio names them.
  var name: String { String(port) }
}
