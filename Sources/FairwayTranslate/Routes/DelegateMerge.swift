import FairwayMesh

/// istiod's delegate merge (`mergeVirtualServicesIfNeeded`): each root http route with a
/// `delegate` is replaced by the delegate's routes, each with the root's match conditions
/// merged in and the root's policies where the delegate sets none. A delegate route whose
/// matches conflict with every root match (it would match outside the root's prefix) is
/// dropped; a missing or not-exported delegate drops only that root route.
enum DelegateMerge {
  /// `root` with its delegating routes replaced, looked up with `delegate` (nil: missing or
  /// not visible to the root's namespace). The key and metadata stay the root's.
  static func expand(
    _ root: TypedConfig<VirtualService>,
    delegate: (ConfigKey) -> TypedConfig<VirtualService>?
  ) -> TypedConfig<VirtualService> {
    guard let routes = root.spec.http, routes.contains(where: { $0.delegate != nil }) else {
      return root
    }
    var merged: [HTTPRoute] = []
    for route in routes {
      guard let reference = route.delegate else {
        merged.append(route)
        continue
      }
      guard let key = delegateKey(reference, rootNamespace: root.namespace),
        let target = delegate(key)
      else { continue }
      let resolved = (target.spec.http ?? []).map {
        resolvingHosts($0, namespace: target.namespace)
      }
      merged += mergeRoutes(root: route, delegate: resolved)
    }
    var spec = root.spec
    spec.http = merged
    return TypedConfig(key: root.key, metadata: root.metadata, spec: spec)
  }

  /// The key a root route's `delegate` names; its namespace defaults to the root's.
  static func delegateKey(_ reference: Delegate, rootNamespace: String) -> ConfigKey? {
    guard let name = reference.name, !name.isEmpty else { return nil }
    let namespace = reference.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? rootNamespace
    return ConfigKey(kind: .virtualService, namespace: namespace, name: name)
  }

  /// The delegate's routes under one root route; as many as the delegate has, minus conflicts.
  static func mergeRoutes(root: HTTPRoute, delegate: [HTTPRoute]) -> [HTTPRoute] {
    delegate.compactMap { mergeRoute(root: root, delegate: $0) }
  }

  /// One delegate route under the root route; nil when its matches conflict with the root's.
  static func mergeRoute(root: HTTPRoute, delegate: HTTPRoute) -> HTTPRoute? {
    guard let matches = mergeMatches(root: root.match ?? [], delegate: delegate.match ?? [])
    else { return nil }
    var out = delegate
    out.match = matches.isEmpty ? nil : matches
    out.name = joinedName(root.name, delegate.name)
    out.delegate = nil
    if out.rewrite == nil { out.rewrite = root.rewrite }
    if out.timeout == nil { out.timeout = root.timeout }
    if out.retries == nil { out.retries = root.retries }
    if out.fault == nil { out.fault = root.fault }
    if out.mirror == nil { out.mirror = root.mirror }
    if out.mirrorPercent == nil { out.mirrorPercent = root.mirrorPercent }
    if out.mirrorPercentage == nil { out.mirrorPercentage = root.mirrorPercentage }
    if out.corsPolicy == nil { out.corsPolicy = root.corsPolicy }
    if out.headers == nil { out.headers = root.headers }
    return out
  }

  /// istiod's `mergeHTTPMatchRequests`: every delegate match must fit inside at least one root
  /// match (and is merged with each it fits); nil when one fits none (a conflict).
  static func mergeMatches(root: [HTTPMatchRequest], delegate: [HTTPMatchRequest])
    -> [HTTPMatchRequest]?
  {
    if root.isEmpty { return delegate }
    if delegate.isEmpty { return root }
    var out: [HTTPMatchRequest] = []
    for leaf in delegate {
      let fitting = root.filter { !hasConflict(root: $0, leaf: leaf) }
      if fitting.isEmpty { return nil }
      out += fitting.map { mergeMatch(root: $0, leaf: leaf) }
    }
    return out
  }

  /// The leaf's conditions, with the root's filling what the leaf leaves open; maps union
  /// (the leaf's entry wins). Source labels, namespace and gateways stay the leaf's.
  static func mergeMatch(root: HTTPMatchRequest, leaf: HTTPMatchRequest) -> HTTPMatchRequest {
    var out = leaf
    out.name = joinedName(root.name, leaf.name)
    if out.uri == nil { out.uri = root.uri }
    if out.scheme == nil { out.scheme = root.scheme }
    if out.method == nil { out.method = root.method }
    if out.authority == nil { out.authority = root.authority }
    out.headers = union(root.headers, leaf.headers)
    out.withoutHeaders = union(root.withoutHeaders, leaf.withoutHeaders)
    out.queryParams = union(root.queryParams, leaf.queryParams)
    if out.port == nil { out.port = root.port }
    return out
  }

  /// Whether the leaf can match something the root cannot (istiod's `hasConflict`).
  static func hasConflict(root: HTTPMatchRequest, leaf: HTTPMatchRequest) -> Bool {
    let pairs = [
      (root.uri, leaf.uri), (root.scheme, leaf.scheme), (root.method, leaf.method),
      (root.authority, leaf.authority),
    ]
    if pairs.contains(where: { stringMatchConflict(root: $0.0, leaf: $0.1) }) { return true }
    for (name, value) in leaf.headers ?? [:]
    where stringMatchConflict(root: root.headers?[name], leaf: value) {
      return true
    }
    // As istiod: a leaf's withoutHeaders entry is checked against the root's headers.
    for (name, value) in leaf.withoutHeaders ?? [:]
    where stringMatchConflict(root: root.headers?[name], leaf: value) {
      return true
    }
    for (name, value) in leaf.queryParams ?? [:]
    where stringMatchConflict(root: root.queryParams?[name], leaf: value) {
      return true
    }
    if (root.ignoreUriCase ?? false) != (leaf.ignoreUriCase ?? false) { return true }
    if let rootPort = root.port, let leafPort = leaf.port, rootPort > 0, leafPort > 0,
      rootPort != leafPort
    {
      return true
    }
    return false
  }

  /// No conflict when either side is open; regexes always conflict; an exact root takes only
  /// the same exact; a prefix root takes prefixes and exacts under it.
  static func stringMatchConflict(root: StringMatch?, leaf: StringMatch?) -> Bool {
    guard let root, let leaf else { return false }
    if nonEmpty(root.regex) != nil || nonEmpty(leaf.regex) != nil { return true }
    if let exact = nonEmpty(root.exact) {
      if nonEmpty(leaf.prefix) != nil { return true }
      return leaf.exact != exact
    }
    if let prefix = nonEmpty(root.prefix) {
      if let leafPrefix = nonEmpty(leaf.prefix) { return !leafPrefix.hasPrefix(prefix) }
      if let leafExact = nonEmpty(leaf.exact) { return !leafExact.hasPrefix(prefix) }
    }
    return true
  }

  private static func nonEmpty(_ text: String?) -> String? {
    guard let text, !text.isEmpty else { return nil }
    return text
  }

  private static func joinedName(_ root: String?, _ leaf: String?) -> String? {
    guard let leaf = nonEmpty(leaf) else { return root }
    guard let root = nonEmpty(root) else { return leaf }
    return "\(root)-\(leaf)"
  }

  private static func union(_ root: [String: StringMatch]?, _ leaf: [String: StringMatch]?)
    -> [String: StringMatch]?
  {
    guard root?.isEmpty == false || leaf?.isEmpty == false else { return leaf }
    return (root ?? [:]).merging(leaf ?? [:]) { _, leafValue in leafValue }
  }

  /// Short destination hosts in a delegate name services of the delegate's namespace (istiod
  /// resolves them before merging), not the root's.
  private static func resolvingHosts(_ route: HTTPRoute, namespace: String) -> HTTPRoute {
    func resolved(_ destination: Destination?) -> Destination? {
      guard var destination, let host = destination.host else { return destination }
      destination.host = HostName.resolve(host, namespace: namespace)
      return destination
    }
    var out = route
    out.route = route.route?.map { target in
      var target = target
      target.destination = resolved(target.destination)
      return target
    }
    out.mirror = resolved(route.mirror)
    out.mirrors = route.mirrors?.map { policy in
      var policy = policy
      policy.destination = resolved(policy.destination)
      return policy
    }
    return out
  }
}
