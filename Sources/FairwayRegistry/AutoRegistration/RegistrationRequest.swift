import FairwayMesh
import FairwayProto
import FairwayResources

/// What a connecting proxy asks auto-registration for: the WorkloadEntry it should have, read
/// from its node the way istiod reads it.
public struct RegistrationRequest: Sendable, Equatable {
  /// The node metadata key naming the WorkloadGroup (in the proxy's namespace).
  public static let groupMetadataKey = "AUTO_REGISTER_GROUP"
  /// Istio's label carrying the locality (`region/zone/subzone` is not a valid label value).
  static let localityLabel = "istio-locality"
  /// Kubernetes names stop at 253 characters; istiod keeps the end of a longer one.
  static let maxNameLength = 253

  /// The WorkloadEntry's key: `<group>-<ip>[-<network>]` in the proxy's namespace.
  public var entry: ConfigKey
  public var group: ConfigKey
  public var proxyID: String
  public var address: String
  public var network: String?
  /// `region/zone/subzone` from the node's locality.
  public var locality: String?
  /// The node's LABELS (without `istio-locality`).
  public var labels: [String: String]

  public init(
    entry: ConfigKey, group: ConfigKey, proxyID: String, address: String, network: String? = nil,
    locality: String? = nil, labels: [String: String] = [:]
  ) {
    self.entry = entry
    self.group = group
    self.proxyID = proxyID
    self.address = address
    self.network = network
    self.locality = locality
    self.labels = labels
  }

  /// The request of a proxy whose node names a group; nil when it names none or has no IP
  /// (istiod logs and skips such a proxy too).
  public init?(proxy: Proxy, node: Envoy_Config_Core_V3_Node) {
    let metadata = node.metadata.fields
    func string(_ key: String) -> String? {
      guard case .stringValue(let value)? = metadata[key]?.kind, !value.isEmpty else { return nil }
      return value
    }
    guard let group = string(Self.groupMetadataKey), let ip = proxy.ipAddresses.first,
      !proxy.namespace.isEmpty
    else { return nil }
    let network = string("NETWORK")
    // IPv6 colons are not allowed in names (istiod's sanitizeIP); IPv4 dots are kept.
    var name =
      ([group, ip.replacingOccurrences(of: ":", with: "-")] + (network.map { [$0] } ?? []))
      .joined(separator: "-")
    if name.count > Self.maxNameLength { name = String(name.suffix(Self.maxNameLength)) }
    var labels = proxy.labels
    labels.removeValue(forKey: Self.localityLabel)
    self.init(
      entry: ConfigKey(kind: .workloadEntry, namespace: proxy.namespace, name: name),
      group: ConfigKey(kind: .workloadGroup, namespace: proxy.namespace, name: group),
      proxyID: proxy.id, address: ip, network: network,
      locality: node.hasLocality ? Self.locality(node.locality) : nil, labels: labels)
  }

  /// Istio's `LocalityToString`: the parts down to the first empty one; nil when no region.
  static func locality(_ locality: Envoy_Config_Core_V3_Locality) -> String? {
    guard !locality.region.isEmpty else { return nil }
    var text = locality.region
    guard !locality.zone.isEmpty else { return text }
    text += "/" + locality.zone
    guard !locality.subZone.isEmpty else { return text }
    return text + "/" + locality.subZone
  }
}
