import FairwayMesh
import FairwayResources

/// The part of a proxy view that its outbound listeners and routes depend on. Sidecars differ
/// in IP and labels, so views are nearly unique; keyed by this instead, the outbound half of
/// LDS and all of RDS are built once per namespace and client rather than once per pod.
struct OutboundKey: Sendable, Hashable {
  let client: Proxy.Client
  let kind: Proxy.Kind
  let namespace: String
  let interceptionMode: Proxy.InterceptionMode
  /// VHDS views get other route configs and listener filters than full-RDS ones.
  let routeDelivery: RouteDelivery
  /// Only the labels some VirtualService `sourceLabels` mentions.
  let labels: [String: String]
  /// The Sidecar scope: which services the view sees, and where unknown hosts go.
  let scope: SidecarScope?
  /// DestinationRules of the namespace that select the workload (route hash policies).
  let rules: [ConfigKey]

  init(view: ProxyView, index: MeshIndex) {
    client = view.client
    kind = view.kind
    namespace = view.namespace
    interceptionMode = view.interceptionMode
    routeDelivery = view.routeDelivery
    labels =
      index.sourceLabelKeys.isEmpty
      ? [:] : view.labels.filter { index.sourceLabelKeys.contains($0.key) }
    scope = index.sidecarScope(for: view)
    rules = index.ruleClient(for: view).selected
  }
}
