import FairwayMesh
import FairwayResources

/// Reads a VirtualService on a Dubbo service the way Aeraki users write it: `match[].method` is
/// the Dubbo method, `match[].headers` are attachments, `route[]` destinations (subsets,
/// weights) are clusters `outbound|PORT|SUBSET|HOST`. Shared by Envoy's Dubbo routes and
/// MOSN's HTTP-shaped ones so both data planes route the same calls the same way.
struct DubboRuleBuilder: Sendable {
  let routes: RouteBuilder

  init(index: MeshIndex, view: ProxyView) {
    routes = RouteBuilder(index: index, view: view)
  }

  /// The rules for one service port, VirtualService order first (each applicable match is a
  /// rule of its own), then the default route to the whole service.
  func rules(service: MeshService, port: MeshPort) -> [DubboRule] {
    var rules: [DubboRule] = []
    if let config = routes.index.virtualService(
      host: service.host, proxyNamespace: routes.view.namespace)
    {
      for (position, http) in (config.spec.http ?? []).enumerated() {
        let matches = http.match ?? []
        let applicable = matches.filter { routes.applies($0, port: port.number) }
        if !matches.isEmpty && applicable.isEmpty { continue }
        guard
          let destinations = destinations(
            http, namespace: config.namespace, service: service, port: port)
        else { continue }
        let routeName = http.name ?? "route-\(position)"
        let conditions: [HTTPMatchRequest?] = applicable.isEmpty ? [nil] : applicable
        for match in conditions {
          var rule = DubboRule(
            name: [routeName, match?.name].compactMap { $0 }.filter { !$0.isEmpty }
              .joined(separator: "."),
            method: match?.method, attachments: [], pin: DubboRule.Pin(),
            destinations: destinations, timeout: http.timeout, retries: http.retries)
          if let match { Self.readAttachments(match, into: &rule) }
          rules.append(rule)
        }
      }
    }
    rules.append(
      DubboRule(
        name: "default", method: nil, attachments: [], pin: DubboRule.Pin(),
        destinations: [
          DubboRule.Destination(
            cluster: ClusterName.outbound(port: port.number, host: service.host), weight: 100)
        ], timeout: nil, retries: nil, isDefault: true))
    return rules
  }

  /// Attachment matches with lower-case keys; exact `group`/`version` become the rule's pin.
  static func readAttachments(_ match: HTTPMatchRequest, into rule: inout DubboRule) {
    for (name, value) in (match.headers ?? [:]).sorted(by: { $0.key < $1.key }) {
      let key = name.lowercased()
      if key == DubboRule.groupKey, let exact = value.exact, rule.pin.group == nil {
        rule.pin.group = exact
      } else if key == DubboRule.versionKey, let exact = value.exact, rule.pin.version == nil {
        rule.pin.version = exact
      } else {
        rule.attachments.append(DubboRule.Attachment(name: key, value: value, invert: false))
      }
    }
    for (name, value) in (match.withoutHeaders ?? [:]).sorted(by: { $0.key < $1.key }) {
      rule.attachments.append(
        DubboRule.Attachment(name: name.lowercased(), value: value, invert: true))
    }
  }

  /// The route's live destinations as clusters, weights kept as written (Istio's validation
  /// has them sum to 100). nil when none resolves.
  func destinations(_ http: HTTPRoute, namespace: String, service: MeshService, port: MeshPort)
    -> [DubboRule.Destination]?
  {
    let live = routes.liveDestinations(
      http, namespace: namespace, service: service, port: port)
    guard !live.isEmpty else { return nil }
    let weights = live.count == 1 ? [100] : RouteBuilder.fittingWeights(live.map(\.weight))
    return zip(live, weights).map { DubboRule.Destination(cluster: $0.cluster, weight: $1) }
  }
}
