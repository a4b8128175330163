import FairwayMesh

/// A Sidecar as it applies to proxies of one namespace: which services they see (egress
/// hosts), where unknown destinations go, and the ports they accept on (ingress). Part of the
/// keys translation caches by, so every proxy under the same scope shares its resource sets.
///
/// Bound to the proxies' namespace because `.` in an egress host means "the proxy's namespace"
/// when a root-namespace Sidecar is the default of another namespace (as istiod binds it).
struct SidecarScope: Sendable, Hashable {
  /// One `namespace/dnsName` egress host.
  struct EgressHost: Sendable, Hashable {
    enum Namespace: Sendable, Hashable {
      case any
      case none
      case named(String)
    }

    let namespace: Namespace
    /// A DNS name, `*` or `*.suffix`.
    let dnsName: String

    init?(_ written: String, boundTo namespace: String) {
      let parts = written.split(separator: "/", omittingEmptySubsequences: false)
      guard parts.count == 2, !parts[1].isEmpty else { return nil }
      switch parts[0] {
      case "*": self.namespace = .any
      case "~": self.namespace = .none
      case ".": self.namespace = .named(namespace)
      case "": return nil
      default: self.namespace = .named(String(parts[0]))
      }
      dnsName = String(parts[1])
    }

    func admits(host: String, namespace serviceNamespace: String) -> Bool {
      switch namespace {
      case .none: return false
      case .any: break
      case .named(let name): guard name == serviceNamespace else { return false }
      }
      return HostName.matches(pattern: dnsName, host: host)
    }
  }

  /// A port the Sidecar's ingress declares, and where it forwards.
  struct Ingress: Sendable, Hashable {
    let port: MeshPort
    /// `127.0.0.1` or `0.0.0.0` (the pod's own address), and the application's port.
    let endpointAddress: String
    let endpointPort: UInt32?
  }

  /// The Sidecar this scope comes from.
  let key: ConfigKey
  /// The namespace of the proxies it applies to.
  let namespace: String
  /// Every egress listener's hosts; no egress at all is istiod's default `*/*`.
  let hosts: [EgressHost]
  let registryOnly: Bool
  let ingress: [Ingress]

  init(_ sidecar: TypedConfig<Sidecar>, boundTo namespace: String) {
    key = sidecar.key
    self.namespace = namespace
    let egress = sidecar.spec.egress ?? []
    hosts =
      egress.isEmpty
      ? [EgressHost.init("*/*", boundTo: namespace)].compactMap { $0 }
      : egress.flatMap { $0.hosts ?? [] }.compactMap { EgressHost($0, boundTo: namespace) }
    registryOnly = sidecar.spec.outboundTrafficPolicy?.mode == "REGISTRY_ONLY"
    ingress = (sidecar.spec.ingress ?? []).compactMap { listener in
      guard let port = listener.port,
        let servicePort = MeshPort(
          ServicePort(
            number: port.number, protocol: port.protocol, name: port.name,
            targetPort: port.targetPort))
      else { return nil }
      var address = "127.0.0.1"
      var target: UInt32?
      if let endpoint = listener.defaultEndpoint, !endpoint.hasPrefix("unix://") {
        let parts = endpoint.split(separator: ":")
        if parts.count == 2 {
          address = String(parts[0])
          target = UInt32(parts[1])
        }
      }
      return Ingress(port: servicePort, endpointAddress: address, endpointPort: target)
    }
  }

  /// Whether proxies under this scope see `service` (exportTo is checked apart).
  func admits(_ service: MeshService) -> Bool {
    admits(host: service.host, namespace: service.namespace)
  }

  func admits(host: String, namespace serviceNamespace: String) -> Bool {
    hosts.contains { $0.admits(host: host, namespace: serviceNamespace) }
  }
}
