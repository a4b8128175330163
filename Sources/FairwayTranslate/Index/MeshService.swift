import FairwayMesh

/// One service host from a ServiceEntry, with its endpoints resolved.
///
/// A class: the index's service list is copied whenever a WorkloadEntry push patches one entry,
/// and copying 10,000 references is far cheaper than copying 10,000 of these by value.
final class MeshService: Sendable {
  enum Resolution: Sendable, Hashable {
    case none
    case staticIPs
    case dns
    case dnsRoundRobin

    init(_ text: String) {
      switch text.uppercased() {
      case "STATIC": self = .staticIPs
      case "DNS": self = .dns
      case "DNS_ROUND_ROBIN": self = .dnsRoundRobin
      default: self = .none
      }
    }
  }

  /// Fully qualified host (`reviews.default.svc.cluster.local`, `api.example.com`).
  let host: String
  /// Namespace of the ServiceEntry that defined it.
  let namespace: String
  let source: ConfigKey
  /// Sorted by number, one entry per number.
  let ports: [MeshPort]
  /// Virtual IPs (ServiceEntry `addresses`).
  let addresses: [String]
  let resolution: Resolution
  let visibility: Visibility
  /// Sorted, deduplicated.
  let endpoints: [MeshEndpoint]
  /// The ServiceEntry's workload selector; a sidecar in the same namespace with these labels
  /// serves the service.
  let workloadSelector: [String: String]

  init(
    host: String, namespace: String, source: ConfigKey, ports: [MeshPort], addresses: [String],
    resolution: Resolution, visibility: Visibility, endpoints: [MeshEndpoint],
    workloadSelector: [String: String]
  ) {
    self.workloadSelector = workloadSelector
    self.host = host
    self.namespace = namespace
    self.source = source
    self.ports = ports
    self.addresses = addresses
    self.resolution = resolution
    self.visibility = visibility
    self.endpoints = endpoints
  }

  func port(_ number: UInt32) -> MeshPort? { ports.first { $0.number == number } }

  var isWildcard: Bool { host.hasPrefix("*") }

  /// The Kubernetes-style parts of `name.ns.svc.cluster.local`, nil for other hosts.
  var kubernetesName: (name: String, namespace: String)? {
    let suffix = "." + HostName.domainSuffix
    guard host.hasSuffix(suffix) else { return nil }
    let parts = host.dropLast(suffix.count).split(separator: ".")
    guard parts.count == 2 else { return nil }
    return (String(parts[0]), String(parts[1]))
  }
}
