import FairwayMesh
import FairwayProto
import SwiftProtobuf

extension RouteBuilder {
  /// The Envoy routes for a VirtualService's http section on one port, in order (first match
  /// wins). Each applicable match becomes its own route sharing the action.
  func routes(from config: TypedConfig<VirtualService>, service: MeshService, port: MeshPort)
    -> (routes: [Route], usesFault: Bool)
  {
    var result: [Route] = []
    var usesFault = false
    for http in config.spec.http ?? [] {
      let matches = http.match ?? []
      let applicable = matches.filter {
        applies($0, port: port.number, writtenIn: config.namespace)
      }
      if !matches.isEmpty && applicable.isEmpty { continue }
      var envoyMatches: [(Envoy_Config_Route_V3_RouteMatch, String?)] = []
      if applicable.isEmpty {
        var catchAll = Envoy_Config_Route_V3_RouteMatch()
        catchAll.prefix = "/"
        envoyMatches = [(catchAll, nil)]
      } else {
        for match in applicable {
          // grpc ignores a route with query parameter matches; leaving it out is the same.
          if flavor == .grpc, !(match.queryParams ?? [:]).isEmpty { continue }
          envoyMatches.append((routeMatch(match), match.name))
        }
      }
      guard !envoyMatches.isEmpty,
        var template = routeTemplate(
          http, namespace: config.namespace, service: service, port: port)
      else { continue }
      if flavor == .sidecar, let cors = http.corsPolicy, case .route? = template.action {
        // The CORS filter's per-route policy (RouteAction.cors is deprecated in Envoy 1.40);
        // forwarding routes only, as before.
        template.typedPerFilterConfig[HTTPFilters.corsName] = .packed(Self.cors(cors))
      }
      if let fault = http.fault, let envoyFault = Self.fault(fault) {
        template.typedPerFilterConfig[HTTPFilters.faultName] = .packed(envoyFault)
        usesFault = true
      }
      for (match, matchName) in envoyMatches {
        var route = template
        route.match = match
        route.name = [http.name, matchName].compactMap { $0 }.filter { !$0.isEmpty }
          .joined(separator: ".")
        result.append(route)
      }
    }
    return (result, usesFault)
  }

  /// Whether a match clause (of a VirtualService in `namespace`) applies to this proxy on this
  /// port: for the mesh, or for `gateway` when building a gateway proxy's routes.
  func applies(_ match: HTTPMatchRequest, port: UInt32, writtenIn namespace: String = "") -> Bool {
    if let wanted = match.port, wanted != Int(port) { return false }
    if let gateways = match.gateways, !gateways.isEmpty {
      if let gateway {
        guard GatewayIndex.names(gateways, gateway, in: namespace) else { return false }
      } else if !gateways.contains("mesh") {
        return false
      }
    }
    if let labels = match.sourceLabels, !labels.allSatisfy({ view.labels[$0.key] == $0.value }) {
      return false
    }
    if let namespace = match.sourceNamespace, namespace != view.namespace { return false }
    return true
  }

  /// The route without its match: action plus header operations. nil when the route has
  /// nothing this client can do (no destination, or a redirect for grpc).
  func routeTemplate(
    _ http: HTTPRoute, namespace: String, service: MeshService, port: MeshPort
  ) -> Route? {
    var route = Route()
    if let redirect = http.redirect {
      guard flavor == .sidecar else { return nil }
      route.redirect = Self.redirect(redirect)
    } else if let response = http.directResponse {
      guard flavor == .sidecar else { return nil }
      route.directResponse = Self.directResponse(response)
    } else {
      guard let action = routeAction(http, namespace: namespace, service: service, port: port)
      else { return nil }
      route.route = action.action
      if flavor == .sidecar {
        Self.applyHeaderOperations(action.singleDestinationHeaders, to: &route)
      }
    }
    if flavor == .sidecar {
      Self.applyHeaderOperations(http.headers, to: &route)
    }
    return route
  }
}
