import Foundation

/// VirtualService rules (Istio `ValidateVirtualService`).
extension IssueCollector {
  static let retryPolicies: Set<String> = [
    "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "envoy-ratelimited",
    "retriable-4xx", "refused-stream", "retriable-status-codes", "retriable-headers",
    "http3-post-connect-failure", "cancelled", "deadline-exceeded", "internal",
    "resource-exhausted",
    "unavailable",
  ]
  static let redirectCodes: Set<Int> = [301, 302, 303, 307, 308]
  static let httpMethods: Set<String> = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
  ]

  mutating func virtualService(_ spec: VirtualService) {
    let hosts = spec.hosts ?? []
    let boundToMeshOnly = (spec.gateways ?? ["mesh"]).allSatisfy { $0 == "mesh" }
    // A VirtualService without hosts is a delegate (Istio's default): valid only as the target
    // of a root's `delegate`, so it carries http routes and nothing bound to a host itself.
    let isDelegate = hosts.isEmpty && !(spec.http ?? []).isEmpty
    if hosts.isEmpty && !isDelegate {
      add("spec.hosts", "virtual service must have at least one host")
    }
    if isDelegate {
      if !(spec.gateways ?? []).isEmpty {
        add("spec.gateways", "delegate virtual service must have no gateways specified")
      }
      if !(spec.tls ?? []).isEmpty {
        add("spec.tls", "delegate virtual service must have no tls route specified")
      }
      if !(spec.tcp ?? []).isEmpty {
        add("spec.tcp", "delegate virtual service must have no tcp route specified")
      }
      for (index, route) in (spec.http ?? []).enumerated() where route.delegate != nil {
        add(
          "spec.http[\(index)].delegate",
          "a delegate virtual service cannot delegate again (one level of delegation)")
      }
    }
    var seenHosts = Set<String>()
    for (index, host) in hosts.enumerated() {
      if host == "*" && boundToMeshOnly {
        add(
          "spec.hosts[\(index)]",
          "wildcard host * is not allowed for virtual services bound to the mesh gateway")
      } else {
        self.host(host, path: "spec.hosts[\(index)]")
      }
      if !seenHosts.insert(host.lowercased()).inserted {
        add("spec.hosts[\(index)]", "duplicate host \"\(host)\"")
      }
    }
    gateways(spec.gateways, path: "spec.gateways")
    exportTo(spec.exportTo, path: "spec.exportTo")
    if (spec.http ?? []).isEmpty && (spec.tcp ?? []).isEmpty && (spec.tls ?? []).isEmpty {
      add("spec", "http, tcp or tls must be provided in virtual service")
    }
    for (index, route) in (spec.http ?? []).enumerated() {
      httpRoute(route, path: "spec.http[\(index)]")
    }
    for (index, route) in (spec.tcp ?? []).enumerated() {
      let path = "spec.tcp[\(index)]"
      for (matchIndex, match) in (route.match ?? []).enumerated() {
        let matchPath = "\(path).match[\(matchIndex)]"
        if let port = match.port { self.port(port, path: "\(matchPath).port") }
        for (subnetIndex, subnet) in (match.destinationSubnets ?? []).enumerated()
        where !NameRules.isIPOrCIDR(subnet) {
          add(
            "\(matchPath).destinationSubnets[\(subnetIndex)]",
            "invalid IP address or CIDR \"\(subnet)\"")
        }
        labels(match.sourceLabels, path: "\(matchPath).sourceLabels")
        gateways(match.gateways, path: "\(matchPath).gateways")
      }
      routeDestinations(route.route, path: "\(path).route")
    }
    for (index, route) in (spec.tls ?? []).enumerated() {
      let path = "spec.tls[\(index)]"
      let matches = route.match ?? []
      if matches.isEmpty {
        add("\(path).match", "TLS route must have at least one match condition")
      }
      for (matchIndex, match) in matches.enumerated() {
        let matchPath = "\(path).match[\(matchIndex)]"
        let sniHosts = match.sniHosts ?? []
        if sniHosts.isEmpty {
          add("\(matchPath).sniHosts", "TLS match must have at least one SNI host")
        }
        for (hostIndex, sni) in sniHosts.enumerated() {
          host(sni, path: "\(matchPath).sniHosts[\(hostIndex)]")
        }
        if let port = match.port { self.port(port, path: "\(matchPath).port") }
        for (subnetIndex, subnet) in (match.destinationSubnets ?? []).enumerated()
        where !NameRules.isIPOrCIDR(subnet) {
          add(
            "\(matchPath).destinationSubnets[\(subnetIndex)]",
            "invalid IP address or CIDR \"\(subnet)\"")
        }
        labels(match.sourceLabels, path: "\(matchPath).sourceLabels")
      }
      routeDestinations(route.route, path: "\(path).route")
    }
  }

  private mutating func routeDestinations(_ routes: [RouteDestination]?, path: String) {
    let routes = routes ?? []
    if routes.isEmpty { add(path, "route is required") }
    for (index, route) in routes.enumerated() {
      destination(route.destination, path: "\(path)[\(index)].destination")
    }
    weights(routes.map(\.weight), path: path)
  }

  mutating func httpRoute(_ route: HTTPRoute, path: String) {
    let routes = route.route ?? []
    let actions = [
      !routes.isEmpty, route.redirect != nil, route.directResponse != nil, route.delegate != nil,
    ]
    .filter { $0 }.count
    if actions == 0 {
      add(path, "HTTP route, redirect, directResponse or delegate is required")
    } else if actions > 1 {
      add(path, "only one of route, redirect, directResponse or delegate may be set")
    }
    for (index, match) in (route.match ?? []).enumerated() {
      httpMatch(match, path: "\(path).match[\(index)]")
    }
    if let delegate = route.delegate {
      if (delegate.name ?? "").isEmpty {
        add("\(path).delegate.name", "delegate name is required")
      } else if let name = delegate.name, !NameRules.isDNS1123Subdomain(name) {
        add("\(path).delegate.name", "delegate name \"\(name)\" is not a valid name")
      }
      if let namespace = delegate.namespace, !namespace.isEmpty,
        !NameRules.isDNS1123Label(namespace)
      {
        add(
          "\(path).delegate.namespace", "delegate namespace \"\(namespace)\" is not a valid name")
      }
    }
    for (index, destination) in routes.enumerated() {
      let destinationPath = "\(path).route[\(index)]"
      self.destination(destination.destination, path: "\(destinationPath).destination")
      headers(destination.headers, path: "\(destinationPath).headers")
    }
    weights(routes.map(\.weight), path: "\(path).route")
    if let redirect = route.redirect {
      let redirectPath = "\(path).redirect"
      if redirect.uri == nil && redirect.authority == nil && redirect.scheme == nil
        && redirect.port == nil
        && redirect.derivePort == nil
      {
        add(redirectPath, "redirect must specify uri, authority, scheme or port")
      }
      if let code = redirect.redirectCode, !Self.redirectCodes.contains(code) {
        add(
          "\(redirectPath).redirectCode", "redirect code \(code) must be 301, 302, 303, 307 or 308")
      }
      if let port = redirect.port { self.port(port, path: "\(redirectPath).port") }
      enumValue(
        redirect.derivePort, allowed: ["FROM_PROTOCOL_DEFAULT", "FROM_REQUEST_PORT"],
        path: "\(redirectPath).derivePort")
      if route.rewrite != nil { add("\(path).rewrite", "rewrite cannot be used with redirect") }
    }
    if let response = route.directResponse {
      let status = response.status ?? 0
      if status < 200 || status > 599 {
        add("\(path).directResponse.status", "HTTP status \(status) must be in the range 200..599")
      }
      if let body = response.body, body.string != nil && body.bytes != nil {
        add("\(path).directResponse.body", "only one of string or bytes may be set")
      }
    }
    if let rewrite = route.rewrite {
      if rewrite.uri != nil && rewrite.uriRegexRewrite != nil {
        add("\(path).rewrite", "only one of uri or uriRegexRewrite may be set")
      }
      if let regex = rewrite.uriRegexRewrite {
        if let match = regex.match, let error = NameRules.regexError(match) {
          add("\(path).rewrite.uriRegexRewrite.match", error)
        } else if regex.match == nil {
          add("\(path).rewrite.uriRegexRewrite.match", "match is required")
        }
      }
    }
    duration(route.timeout, path: "\(path).timeout")
    if let retries = route.retries {
      let retryPath = "\(path).retries"
      if let attempts = retries.attempts, attempts < 0 {
        add("\(retryPath).attempts", "attempts \(attempts) must not be negative")
      }
      duration(
        retries.perTryTimeout, path: "\(retryPath).perTryTimeout", atLeastOneMillisecond: true)
      if let retryOn = retries.retryOn {
        for policy in retryOn.split(separator: ",", omittingEmptySubsequences: false) {
          let trimmed = policy.trimmingCharacters(in: .whitespaces)
          if let code = Int(trimmed), (100...599).contains(code) { continue }
          if !Self.retryPolicies.contains(trimmed) {
            add("\(retryPath).retryOn", "\"\(trimmed)\" is not a valid retryOn policy")
          }
        }
      }
    }
    if let fault = route.fault {
      let faultPath = "\(path).fault"
      if fault.delay == nil && fault.abort == nil {
        add(faultPath, "fault must specify delay or abort")
      }
      if let delay = fault.delay {
        if delay.fixedDelay == nil && delay.exponentialDelay == nil {
          add("\(faultPath).delay", "delay must specify fixedDelay")
        }
        duration(
          delay.fixedDelay, path: "\(faultPath).delay.fixedDelay", atLeastOneMillisecond: true)
        duration(
          delay.exponentialDelay, path: "\(faultPath).delay.exponentialDelay",
          atLeastOneMillisecond: true)
        percent(delay.percentage, path: "\(faultPath).delay.percentage")
        percentInt(delay.percent, path: "\(faultPath).delay.percent")
      }
      if let abort = fault.abort {
        let set = [abort.httpStatus != nil, abort.grpcStatus != nil, abort.http2Error != nil].filter
        { $0 }.count
        if set != 1 {
          add(
            "\(faultPath).abort",
            "abort must specify exactly one of httpStatus, grpcStatus or http2Error")
        }
        if let status = abort.httpStatus, status < 200 || status > 599 {
          add(
            "\(faultPath).abort.httpStatus", "HTTP status \(status) must be in the range 200..599")
        }
        percent(abort.percentage, path: "\(faultPath).abort.percentage")
      }
    }
    if route.mirror != nil { destination(route.mirror, path: "\(path).mirror") }
    for (index, mirror) in (route.mirrors ?? []).enumerated() {
      destination(mirror.destination, path: "\(path).mirrors[\(index)].destination")
      percent(mirror.percentage, path: "\(path).mirrors[\(index)].percentage")
    }
    if route.mirror != nil && route.mirrors != nil {
      add("\(path).mirrors", "only one of mirror or mirrors may be set")
    }
    percent(route.mirrorPercentage, path: "\(path).mirrorPercentage")
    percentInt(route.mirrorPercent, path: "\(path).mirrorPercent")
    if let cors = route.corsPolicy {
      let corsPath = "\(path).corsPolicy"
      for (index, origin) in (cors.allowOrigins ?? []).enumerated() {
        stringMatch(origin, path: "\(corsPath).allowOrigins[\(index)]")
      }
      for (index, method) in (cors.allowMethods ?? []).enumerated()
      where !Self.httpMethods.contains(method) {
        add("\(corsPath).allowMethods[\(index)]", "\"\(method)\" is not a valid HTTP method")
      }
      for (index, header) in (cors.allowHeaders ?? []).enumerated() where header.isEmpty {
        add("\(corsPath).allowHeaders[\(index)]", "header name must not be empty")
      }
      duration(cors.maxAge, path: "\(corsPath).maxAge")
      enumValue(
        cors.unmatchedPreflights, allowed: ["UNSPECIFIED", "FORWARD", "IGNORE"],
        path: "\(corsPath).unmatchedPreflights")
    }
    headers(route.headers, path: "\(path).headers")
  }

  private mutating func httpMatch(_ match: HTTPMatchRequest, path: String) {
    stringMatch(match.uri, path: "\(path).uri")
    stringMatch(match.scheme, path: "\(path).scheme")
    stringMatch(match.method, path: "\(path).method")
    stringMatch(match.authority, path: "\(path).authority")
    for (field, map) in [
      ("headers", match.headers), ("withoutHeaders", match.withoutHeaders),
      ("queryParams", match.queryParams),
    ] {
      guard let map else { continue }
      for key in map.keys.sorted() {
        if key.isEmpty { add("\(path).\(field)", "key must not be empty") }
        // Istio allows {} for header presence matches.
        stringMatch(map[key], path: "\(path).\(field).\(key)", allowEmpty: true)
      }
    }
    if let port = match.port { self.port(port, path: "\(path).port") }
    labels(match.sourceLabels, path: "\(path).sourceLabels")
    gateways(match.gateways, path: "\(path).gateways")
  }

  private mutating func headers(_ headers: Headers?, path: String) {
    guard let headers else { return }
    for (side, operations) in [("request", headers.request), ("response", headers.response)] {
      guard let operations else { continue }
      let opsPath = "\(path).\(side)"
      for (op, names) in [
        ("set", operations.set.map { Array($0.keys) }),
        ("add", operations.add.map { Array($0.keys) }), ("remove", operations.remove),
      ] {
        for name in (names ?? []).sorted() where !Self.isHeaderName(name) {
          add("\(opsPath).\(op)", "invalid header name \"\(name)\"")
        }
      }
    }
  }

  static func isHeaderName(_ name: String) -> Bool {
    guard !name.isEmpty else { return false }
    let separators = Set("()<>@,;:\\\"/[]?={} \t")
    return name.allSatisfy {
      $0.isASCII && !separators.contains($0) && !$0.isWhitespace && ($0.asciiValue ?? 0) > 31
    }
  }
}
