/// The Istio networking kinds Fairway stores.
public enum ConfigKind: String, Sendable, CaseIterable, Codable, Comparable {
  case virtualService = "VirtualService"
  case destinationRule = "DestinationRule"
  case serviceEntry = "ServiceEntry"
  case workloadEntry = "WorkloadEntry"
  case workloadGroup = "WorkloadGroup"
  case sidecar = "Sidecar"
  case gateway = "Gateway"

  /// The API group of every kind.
  public static let group = "networking.istio.io"

  /// The version Fairway writes; older versions are accepted on input.
  static let preferredVersion = "v1"

  /// Versions accepted on input. They are all stored as one kind, as istiod does.
  public static let acceptedVersions: Set<String> = ["v1", "v1beta1", "v1alpha3"]

  /// `networking.istio.io/v1`, the apiVersion written on output.
  public static let preferredAPIVersion = "\(group)/\(preferredVersion)"

  /// The lower-case plural used in REST paths, e.g. `virtualservices`.
  public var plural: String {
    switch self {
    case .virtualService: return "virtualservices"
    case .destinationRule: return "destinationrules"
    case .serviceEntry: return "serviceentries"
    case .workloadEntry: return "workloadentries"
    case .workloadGroup: return "workloadgroups"
    case .sidecar: return "sidecars"
    case .gateway: return "gateways"
    }
  }

  /// Istio's short names (`vs`, `dr`, `se`, `we`, `wg`).
  public var shortName: String {
    switch self {
    case .virtualService: return "vs"
    case .destinationRule: return "dr"
    case .serviceEntry: return "se"
    case .workloadEntry: return "we"
    case .workloadGroup: return "wg"
    // Istio gives Sidecar no short name; the singular is what people type.
    case .sidecar: return "sidecar"
    case .gateway: return "gw"
    }
  }

  /// Resolves a kind from a plural path segment (`serviceentries`).
  public init?(plural: String) {
    guard let kind = ConfigKind.allCases.first(where: { $0.plural == plural }) else { return nil }
    self = kind
  }

  /// Resolves what a person types on a command line: kind, singular, plural or short
  /// name, in any letter case (`VirtualService`, `virtualservice`, `vs`, `virtualservices`).
  public init?(userInput: String) {
    let text = userInput.lowercased()
    guard
      let kind = ConfigKind.allCases.first(where: {
        $0.rawValue.lowercased() == text || $0.plural == text || $0.shortName == text
      })
    else { return nil }
    self = kind
  }

  public static func < (lhs: ConfigKind, rhs: ConfigKind) -> Bool {
    lhs.rawValue < rhs.rawValue
  }
}
