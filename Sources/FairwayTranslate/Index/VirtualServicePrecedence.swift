import FairwayMesh

/// Where a VirtualService applies: to sidecars (`mesh`) or to one gateway (`namespace/name`).
package enum VirtualServiceBinding: Sendable, Hashable {
  case mesh
  case gateway(String)
}

/// What istiod does when several VirtualServices name one host: for sidecars the oldest one
/// wins and the others are reported (IST0109); for a gateway they are merged, oldest first.
/// One place for the decision, so the gateway builder and the analyzer agree with the sidecar
/// routes.
package enum VirtualServicePrecedence {
  /// The outcome for one host and one binding.
  package struct Choice: Sendable, Equatable {
    /// The configs whose routes apply, in order: one for `mesh`, every one (to be merged in
    /// this order) for a gateway.
    package var applied: [TypedConfig<VirtualService>]
    /// Configs naming the host whose routes are dropped (only for `mesh`).
    package var dropped: [TypedConfig<VirtualService>]
  }

  /// istiod's order (`sortConfigByCreationTime`): creation time, then name, then namespace.
  /// Timestamps are the store's RFC 3339 strings of one format, so they compare as text; a
  /// config without one (built in memory) sorts first.
  package static func precedes(
    _ lhs: TypedConfig<VirtualService>, _ rhs: TypedConfig<VirtualService>
  ) -> Bool {
    let left = lhs.metadata.creationTimestamp ?? ""
    let right = rhs.metadata.creationTimestamp ?? ""
    if left != right { return left < right }
    if lhs.name != rhs.name { return lhs.name < rhs.name }
    return lhs.namespace < rhs.namespace
  }

  /// `configs` in istiod's order.
  package static func ordered(_ configs: [TypedConfig<VirtualService>])
    -> [TypedConfig<VirtualService>]
  {
    configs.sorted(by: precedes)
  }

  /// The decision for `candidates`, all naming one host and all visible to the asking proxy,
  /// already ranked (exact host before wildcard, then `precedes`).
  package static func choose(
    _ candidates: [TypedConfig<VirtualService>], boundTo binding: VirtualServiceBinding
  ) -> Choice {
    switch binding {
    case .mesh:
      guard let first = candidates.first else { return Choice(applied: [], dropped: []) }
      return Choice(applied: [first], dropped: Array(candidates.dropFirst()))
    case .gateway:
      return Choice(applied: candidates, dropped: [])
    }
  }
}
