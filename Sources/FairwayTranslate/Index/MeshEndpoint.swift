import FairwayMesh

/// One workload instance behind a service: from a ServiceEntry's `endpoints` or a selected
/// WorkloadEntry. Equatable so incremental EDS can compare inputs instead of outputs.
package struct MeshEndpoint: Sendable, Hashable, Comparable {
  let address: String
  /// Port name to the port the workload listens on.
  let ports: [String: UInt32]
  package let labels: [String: String]
  let locality: EndpointLocality
  /// Istio's weight; absent or 0 means 1 (grpc NACKs a zero weight).
  let weight: UInt32
  let network: String

  init?(_ entry: WorkloadEntry) {
    guard let address = entry.address?.trimmingCharactersInWhitespace(), !address.isEmpty else {
      return nil
    }
    self.address = address
    var ports: [String: UInt32] = [:]
    for (name, value) in entry.ports ?? [:] {
      if let valid = MeshPort.validPort(value) { ports[name] = valid }
    }
    self.ports = ports
    self.labels = entry.labels ?? [:]
    self.locality = EndpointLocality(entry.locality ?? "")
    if let weight = entry.weight, weight > 0 {
      self.weight = UInt32(clamping: weight)
    } else {
      self.weight = 1
    }
    self.network = entry.network ?? ""
  }

  /// An endpoint that is the service host itself (DNS services without endpoints).
  init(hostname: String) {
    self.address = hostname
    self.ports = [:]
    self.labels = [:]
    self.locality = EndpointLocality("")
    self.weight = 1
    self.network = ""
  }

  /// The port this endpoint serves `port` on: its own mapping by name, else the service's
  /// target port, else the service port itself.
  func port(for port: MeshPort) -> UInt32 {
    if !port.name.isEmpty, let mapped = ports[port.name] { return mapped }
    return port.targetPort ?? port.number
  }

  /// Unix domain socket endpoints (`unix:///path`) become Envoy pipe addresses.
  var unixSocketPath: String? {
    address.hasPrefix("unix://") ? String(address.dropFirst("unix://".count)) : nil
  }

  func matches(labels selector: [String: String]) -> Bool {
    selector.allSatisfy { labels[$0.key] == $0.value }
  }

  package static func < (lhs: MeshEndpoint, rhs: MeshEndpoint) -> Bool {
    if lhs.address != rhs.address { return lhs.address < rhs.address }
    if lhs.locality != rhs.locality { return lhs.locality < rhs.locality }
    if lhs.weight != rhs.weight { return lhs.weight < rhs.weight }
    return lhs.ports.sorted(by: { $0.key < $1.key }).lexicographicallyPrecedes(
      rhs.ports.sorted(by: { $0.key < $1.key }),
      by: { ($0.key, $0.value) < ($1.key, $1.value) })
  }
}

/// `region/zone/subzone`, each part optional.
struct EndpointLocality: Sendable, Hashable, Comparable {
  let region: String
  let zone: String
  let subZone: String

  init(_ text: String) {
    let parts = text.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
      .map(String.init)
    region = parts.count > 0 ? parts[0] : ""
    zone = parts.count > 1 ? parts[1] : ""
    subZone = parts.count > 2 ? parts[2] : ""
  }

  static func < (lhs: EndpointLocality, rhs: EndpointLocality) -> Bool {
    (lhs.region, lhs.zone, lhs.subZone) < (rhs.region, rhs.zone, rhs.subZone)
  }
}

extension String {
  func trimmingCharactersInWhitespace() -> String {
    var text = Substring(self)
    while let first = text.first, first.isWhitespace { text = text.dropFirst() }
    while let last = text.last, last.isWhitespace { text = text.dropLast() }
    return String(text)
  }
}
