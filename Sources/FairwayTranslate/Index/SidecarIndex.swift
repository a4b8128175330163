import FairwayMesh

/// Sidecars by namespace, and which one applies to a proxy, as istiod picks it: the first
/// Sidecar of the proxy's namespace whose workloadSelector matches its labels, else that
/// namespace's Sidecar without a selector, else the root namespace's Sidecar without one.
/// Several candidates of one rank are taken in key order (istiod: oldest first).
struct SidecarIndex: Sendable {
  private struct Namespace: Sendable {
    var selecting: [TypedConfig<Sidecar>] = []
    var fallback: TypedConfig<Sidecar>?
  }

  let rootNamespace: String
  private let byNamespace: [String: Namespace]

  /// `sidecars` in key order, as a snapshot lists them.
  init(_ sidecars: [TypedConfig<Sidecar>], rootNamespace: String) {
    self.rootNamespace = rootNamespace
    var byNamespace: [String: Namespace] = [:]
    for sidecar in sidecars {
      if let labels = sidecar.spec.workloadSelector?.labels, !labels.isEmpty {
        byNamespace[sidecar.namespace, default: Namespace()].selecting.append(sidecar)
      } else if byNamespace[sidecar.namespace]?.fallback == nil {
        byNamespace[sidecar.namespace, default: Namespace()].fallback = sidecar
      }
    }
    self.byNamespace = byNamespace
  }

  var isEmpty: Bool { byNamespace.isEmpty }

  /// The scope of a sidecar proxy in `namespace` with `labels`; nil when no Sidecar applies.
  func scope(namespace: String, labels: [String: String]) -> SidecarScope? {
    guard !byNamespace.isEmpty else { return nil }
    let local = byNamespace[namespace]
    if let selected = local?.selecting.first(where: { sidecar in
      (sidecar.spec.workloadSelector?.labels ?? [:]).allSatisfy { labels[$0.key] == $0.value }
    }) {
      return SidecarScope(selected, boundTo: namespace)
    }
    if let fallback = local?.fallback ?? byNamespace[rootNamespace]?.fallback {
      return SidecarScope(fallback, boundTo: namespace)
    }
    return nil
  }
}
