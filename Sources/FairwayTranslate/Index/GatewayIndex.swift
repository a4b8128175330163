import FairwayMesh
import FairwayResources

/// Gateways and the VirtualServices bound to gateways (`gateways:` naming anything but `mesh`),
/// so a gateway proxy's listeners and routes are built from these alone, never from a scan of
/// every VirtualService.
struct GatewayIndex: Sendable {
  /// Every Gateway, in key order.
  private(set) var gateways: [TypedConfig<Gateway>]
  /// VirtualServices bound to at least one gateway, by key.
  private var bound: [ConfigKey: TypedConfig<VirtualService>]

  init(gateways: [TypedConfig<Gateway>], virtualServices: [TypedConfig<VirtualService>]) {
    self.gateways = gateways
    var bound: [ConfigKey: TypedConfig<VirtualService>] = [:]
    for config in virtualServices where Self.bindsAnyGateway(config) { bound[config.key] = config }
    self.bound = bound
  }

  /// Whether any gateway is configured at all (most meshes have none).
  var isEmpty: Bool { gateways.isEmpty }

  /// Replaces the VirtualServices in `changes` (nil: deleted).
  mutating func replace(_ changes: [ConfigKey: TypedConfig<VirtualService>?]) {
    for (key, replacement) in changes {
      if let replacement, Self.bindsAnyGateway(replacement) {
        bound[key] = replacement
      } else {
        bound[key] = nil
      }
    }
  }

  /// The Gateways whose selector takes a gateway proxy with `labels`, in key order. As istiod
  /// with its default `PILOT_SCOPE_GATEWAY_TO_NAMESPACE=false`, a Gateway selects gateway
  /// proxies of any namespace; an empty selector selects every gateway proxy.
  func gateways(selecting labels: [String: String]) -> [TypedConfig<Gateway>] {
    gateways.filter { gateway in
      (gateway.spec.selector ?? [:]).allSatisfy { labels[$0.key] == $0.value }
    }
  }

  /// The VirtualServices bound to `gateway` and exported to its namespace, in istiod's order:
  /// creation time, then name, then namespace.
  func virtualServices(boundTo gateway: ConfigKey) -> [TypedConfig<VirtualService>] {
    bound.values.filter { config in
      Self.names(config.spec.gateways, gateway, in: config.namespace)
        && Visibility(exportTo: config.spec.exportTo, namespace: config.namespace)
          .isVisible(from: gateway.namespace)
    }.sorted {
      ($0.metadata.creationTimestamp ?? "", $0.name, $0.namespace)
        < ($1.metadata.creationTimestamp ?? "", $1.name, $1.namespace)
    }
  }

  /// Whether a `gateways:` list (of a VirtualService or of one of its matches, written in
  /// `namespace`) names `gateway`: `NAMESPACE/NAME`, or `NAME` in the writer's namespace.
  static func names(_ list: [String]?, _ gateway: ConfigKey, in namespace: String) -> Bool {
    (list ?? []).contains { entry in
      if let slash = entry.firstIndex(of: "/") {
        return entry[..<slash] == gateway.namespace
          && entry[entry.index(after: slash)...] == gateway.name
      }
      return entry == gateway.name && namespace == gateway.namespace
    }
  }

  private static func bindsAnyGateway(_ config: TypedConfig<VirtualService>) -> Bool {
    (config.spec.gateways ?? []).contains { $0 != "mesh" }
  }
}
