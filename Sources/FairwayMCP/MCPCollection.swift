import FairwayMesh

/// The Istio collections Fairway exchanges over MCP-over-xDS, one per config kind: the type URL
/// a sink requests (`networking.istio.io/v1alpha3/VirtualService`, Istio's group/version/kind)
/// and the type URL of the spec inside each `istio.mcp.v1alpha1.Resource` body.
public struct MCPCollection: Sendable, Hashable, CustomStringConvertible {
  public let kind: ConfigKind

  public init(kind: ConfigKind) { self.kind = kind }

  /// Looks a collection up by its type URL; nil for anything else (Envoy's types included).
  public init?(typeURL: String) {
    // Only the kinds with a spec message here: a kind added later is not a collection yet.
    guard let found = Self.all.first(where: { $0.typeURL == typeURL }) else { return nil }
    self = found
  }

  /// Every collection, in the order a sink subscribes (services before what refers to them).
  public static let all: [MCPCollection] = [
    .init(kind: .serviceEntry), .init(kind: .workloadEntry), .init(kind: .destinationRule),
    .init(kind: .virtualService),
  ]

  /// The type URL of DiscoveryRequest/Response for this collection.
  public var typeURL: String { Self.typeURL(of: kind) }

  /// The type URL of the spec message inside each resource's body.
  public var bodyTypeURL: String {
    "type.googleapis.com/istio.networking.v1alpha3.\(kind.rawValue)"
  }

  /// The type URL of every resource in a response (an Any of `istio.mcp.v1alpha1.Resource`).
  public static let resourceTypeURL = "type.googleapis.com/istio.mcp.v1alpha1.Resource"

  public var description: String { typeURL }

  private static func typeURL(of kind: ConfigKind) -> String {
    "\(ConfigKind.group)/v1alpha3/\(kind.rawValue)"
  }
}
