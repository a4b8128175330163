import FairwayMesh

/// Every destination a VirtualService names, with its field path: HTTP, TLS and TCP routes and
/// HTTP mirrors.
struct RouteDestination: Sendable {
  let destination: Destination
  let path: String
}

extension VirtualService {
  var allDestinations: [RouteDestination] {
    var found: [RouteDestination] = []
    for (i, route) in (http ?? []).enumerated() {
      for (j, target) in (route.route ?? []).enumerated() {
        if let destination = target.destination {
          found.append(
            .init(destination: destination, path: "spec.http[\(i)].route[\(j)].destination"))
        }
      }
      if let mirror = route.mirror {
        found.append(.init(destination: mirror, path: "spec.http[\(i)].mirror"))
      }
      for (j, mirror) in (route.mirrors ?? []).enumerated() {
        if let destination = mirror.destination {
          found.append(
            .init(destination: destination, path: "spec.http[\(i)].mirrors[\(j)].destination"))
        }
      }
    }
    for (i, route) in (tls ?? []).enumerated() {
      for (j, target) in (route.route ?? []).enumerated() {
        if let destination = target.destination {
          found.append(
            .init(destination: destination, path: "spec.tls[\(i)].route[\(j)].destination"))
        }
      }
    }
    for (i, route) in (tcp ?? []).enumerated() {
      for (j, target) in (route.route ?? []).enumerated() {
        if let destination = target.destination {
          found.append(
            .init(destination: destination, path: "spec.tcp[\(i)].route[\(j)].destination"))
        }
      }
    }
    return found
  }
}
