/// Istio's cluster names, `DIRECTION|PORT|SUBSET|FQDN`, taken apart as istioctl does.
struct ClusterNameParts: Sendable, Equatable {
  let fqdn: String
  /// nil for clusters not named by the convention (`PassthroughCluster`).
  let port: Int?
  let subset: String
  let direction: String

  init(_ name: String) {
    let parts = name.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    if parts.count == 4, let port = Int(parts[1]) {
      direction = parts[0]
      self.port = port
      subset = parts[2]
      fqdn = parts[3]
    } else {
      direction = ""
      port = nil
      subset = ""
      fqdn = name
    }
  }
}

/// What `--fqdn`, `--port`, `--subset` and `--direction` ask for; nil fields match anything.
public struct ClusterFilter: Sendable {
  public var fqdn: String?
  public var port: Int?
  public var subset: String?
  public var direction: String?

  public init(
    fqdn: String? = nil, port: Int? = nil, subset: String? = nil, direction: String? = nil
  ) {
    self.fqdn = fqdn
    self.port = port
    self.subset = subset
    self.direction = direction
  }

  /// Whether `clusterName` passes every part of the filter that is set.
  public func matches(_ clusterName: String) -> Bool {
    let parts = ClusterNameParts(clusterName)
    if let fqdn, fqdn != parts.fqdn { return false }
    if let port, port != parts.port { return false }
    if let subset, subset != parts.subset { return false }
    if let direction, direction != parts.direction { return false }
    return true
  }
}
