import FairwayMesh
import FairwayProto
import Foundation
import SwiftProtobuf

extension RouteBuilder {
  typealias RouteAction = Envoy_Config_Route_V3_RouteAction

  /// One resolved destination of a route.
  struct WeightedDestination {
    let cluster: String
    let host: String
    let subset: String?
    let port: UInt32
    let weight: UInt32
    let headers: Headers?
  }

  /// The forwarding action; `singleDestinationHeaders` are the destination's header
  /// operations when there is only one destination (they then apply to the whole route).
  func routeAction(_ http: HTTPRoute, namespace: String, service: MeshService, port: MeshPort)
    -> (action: RouteAction, singleDestinationHeaders: Headers?)?
  {
    let destinations = liveDestinations(
      http, namespace: namespace, service: service, port: port)
    guard let first = destinations.first else { return nil }
    var action = RouteAction()
    var singleHeaders: Headers?
    if destinations.count == 1 {
      action.cluster = first.cluster
      singleHeaders = first.headers
    } else {
      var weighted = Envoy_Config_Route_V3_WeightedCluster()
      let weights = Self.fittingWeights(destinations.map(\.weight))
      for (destination, weight) in zip(destinations, weights) {
        var entry = Envoy_Config_Route_V3_WeightedCluster.ClusterWeight()
        entry.name = destination.cluster
        entry.weight = Google_Protobuf_UInt32Value(weight)
        if flavor == .sidecar, let headers = destination.headers {
          entry.requestHeadersToAdd = Self.headerValues(headers.request)
          entry.requestHeadersToRemove = headers.request?.remove ?? []
          entry.responseHeadersToAdd = Self.headerValues(headers.response)
          entry.responseHeadersToRemove = headers.response?.remove ?? []
        }
        weighted.clusters.append(entry)
      }
      // No total_weight: Envoy 1.40 deprecates it and takes the sum of the weights.
      action.weightedClusters = weighted
    }

    let timeout = http.timeout.flatMap(ClusterBuilder.duration)
    if flavor == .grpc {
      // grpc honours max_stream_duration, not the route timeout.
      if let timeout {
        action.maxStreamDuration.maxStreamDuration = timeout
        action.maxStreamDuration.grpcTimeoutHeaderMax = timeout
      }
    } else {
      action.timeout = timeout ?? Google_Protobuf_Duration(seconds: 0)
      if let policy = retryPolicy(http.retries) { action.retryPolicy = policy }
      applyRewrite(http.rewrite, to: &action)
      action.requestMirrorPolicies = mirrorPolicies(
        http, namespace: namespace, service: service, port: port)
    }
    if flavor == .grpc, let retries = http.retries, let policy = grpcRetryPolicy(retries) {
      action.retryPolicy = policy
    }
    action.hashPolicy = hashPolicies(host: first.host, subset: first.subset, port: first.port)
    return (action, singleHeaders)
  }

  /// A route's destinations, resolved. Weight-0 ones get no traffic: grpc NACKs them, Envoy
  /// and Dubbo proxies gain nothing from them (a lone destination is kept whatever its weight).
  func liveDestinations(
    _ http: HTTPRoute, namespace: String, service: MeshService, port: MeshPort
  ) -> [WeightedDestination] {
    let count = http.route?.count ?? 0
    let all = (http.route ?? []).compactMap {
      resolve($0, namespace: namespace, service: service, port: port, count: count)
    }
    return all.count == 1 ? all : all.filter { $0.weight > 0 }
  }

  /// Envoy requires the weights to sum within 32 bits (it divides by their sum); absurd
  /// weights are scaled down proportionally, never below 1.
  static func fittingWeights(_ weights: [UInt32]) -> [UInt32] {
    let sum = weights.reduce(UInt64(0)) { $0 + UInt64($1) }
    let limit = UInt64(UInt32.max) / 2
    guard sum > limit else { return weights }
    let divisor = sum / limit + 1
    return weights.map { UInt32(max(1, UInt64($0) / divisor)) }
  }

  func resolve(
    _ destination: HTTPRouteDestination, namespace: String, service: MeshService,
    port: MeshPort, count: Int
  ) -> WeightedDestination? {
    guard let target = destination.destination,
      let resolved = resolve(target, namespace: namespace, service: service, port: port)
    else { return nil }
    let weight = destination.weight.map { UInt32(clamping: max($0, 0)) } ?? (count == 1 ? 100 : 0)
    return WeightedDestination(
      cluster: resolved.cluster, host: resolved.host, subset: target.subset,
      port: resolved.port, weight: weight, headers: destination.headers)
  }

  /// A destination's cluster: the port is the one written, else the target service's only
  /// port, else the port being routed.
  func resolve(_ target: Destination, namespace: String, service: MeshService, port: MeshPort)
    -> (cluster: String, host: String, port: UInt32)?
  {
    guard let written = target.host, !written.isEmpty else { return nil }
    let host = HostName.resolve(written, namespace: namespace)
    var number = port.number
    if let explicit = target.port?.number.flatMap(MeshPort.validPort) {
      number = explicit
    } else if let ports = destinationPorts(host: host), ports.count == 1, let only = ports.first {
      number = only
    }
    let cluster = ClusterName.outbound(port: number, subset: target.subset ?? "", host: host)
    return (cluster, host, number)
  }

  /// The ports of the service a destination names, nil when no service has that host. The one
  /// place routes read another service: `VirtualHostDependencies` records what it returns.
  func destinationPorts(host: String) -> [UInt32]? {
    index.service(host: host).map { $0.ports.map(\.number) }
  }

  /// The DestinationRule whose load balancer shapes routes to `host` (consistent hashing), as
  /// this client looks it up (its namespace, the service's, the root's; rules selecting the
  /// workload first). The one place routes read rules: `VirtualHostDependencies` records what
  /// it returns, so a rule of any namespace that changes the answer invalidates the host.
  func routingRule(host: String) -> DestinationRule? {
    index.destinationRule(host: host, client: index.ruleClient(for: view))
  }

  /// Istio's retries: unset means the default policy, `attempts: 0` none. Status codes in
  /// `retryOn` become retriable status codes.
  func retryPolicy(_ retries: HTTPRetry?) -> Envoy_Config_Route_V3_RetryPolicy? {
    guard let retries else { return Self.defaultRetryPolicy() }
    guard let attempts = retries.attempts, attempts > 0 else {
      return retries.attempts == nil ? customRetry(retries, attempts: 2) : nil
    }
    return customRetry(retries, attempts: attempts)
  }

  private func customRetry(_ retries: HTTPRetry, attempts: Int) -> Envoy_Config_Route_V3_RetryPolicy
  {
    var policy = Self.defaultRetryPolicy()
    policy.numRetries = Google_Protobuf_UInt32Value(UInt32(clamping: attempts))
    if let text = retries.retryOn, !text.isEmpty {
      var conditions: [String] = []
      var codes: [UInt32] = []
      for item in text.split(separator: ",").map({ String($0).trimmingCharactersInWhitespace() })
      where !item.isEmpty {
        if let code = UInt32(item) { codes.append(code) } else { conditions.append(item) }
      }
      if !codes.isEmpty, !conditions.contains("retriable-status-codes") {
        conditions.append("retriable-status-codes")
      }
      policy.retryOn = conditions.joined(separator: ",")
      policy.retriableStatusCodes = codes.isEmpty ? [503] : codes
    }
    if let perTry = retries.perTryTimeout.flatMap(ClusterBuilder.duration) {
      policy.perTryTimeout = perTry
    }
    return policy
  }

  /// grpc retries only on gRPC status names; other conditions are dropped.
  func grpcRetryPolicy(_ retries: HTTPRetry) -> Envoy_Config_Route_V3_RetryPolicy? {
    guard let attempts = retries.attempts, attempts > 0 else { return nil }
    let supported: Set<String> = [
      "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
    ]
    let written = (retries.retryOn ?? "cancelled,unavailable").split(separator: ",")
      .map { String($0).trimmingCharactersInWhitespace() }
    let conditions = written.filter(supported.contains)
    guard !conditions.isEmpty else { return nil }
    var policy = Envoy_Config_Route_V3_RetryPolicy()
    policy.retryOn = conditions.joined(separator: ",")
    policy.numRetries = Google_Protobuf_UInt32Value(UInt32(clamping: attempts))
    return policy
  }

  func applyRewrite(_ rewrite: HTTPRewrite?, to action: inout RouteAction) {
    guard let rewrite else { return }
    if let uri = rewrite.uri {
      action.prefixRewrite = uri
    } else if let regex = rewrite.uriRegexRewrite, let pattern = regex.match {
      var substitute = Envoy_Type_Matcher_V3_RegexMatchAndSubstitute()
      substitute.pattern = Self.regex(pattern)
      substitute.substitution = regex.rewrite ?? ""
      action.regexRewrite = substitute
    }
    if let authority = rewrite.authority, !authority.isEmpty {
      action.hostRewriteLiteral = authority
    }
  }

  func mirrorPolicies(_ http: HTTPRoute, namespace: String, service: MeshService, port: MeshPort)
    -> [RouteAction.RequestMirrorPolicy]
  {
    var mirrors: [(Destination, Double?)] = []
    if let mirror = http.mirror {
      let legacy = http.mirrorPercent.map(Double.init)
      mirrors.append((mirror, http.mirrorPercentage?.value ?? legacy))
    }
    for policy in http.mirrors ?? [] {
      if let destination = policy.destination {
        mirrors.append((destination, policy.percentage?.value))
      }
    }
    return mirrors.compactMap { destination, percent in
      guard let resolved = resolve(destination, namespace: namespace, service: service, port: port)
      else { return nil }
      var policy = RouteAction.RequestMirrorPolicy()
      policy.cluster = resolved.cluster
      policy.runtimeFraction.defaultValue = Self.fraction(percent ?? 100)
      return policy
    }
  }

  /// Istio percentages (0-100, fractional) as parts per million.
  static func fraction(_ percent: Double) -> Envoy_Type_V3_FractionalPercent {
    var fraction = Envoy_Type_V3_FractionalPercent()
    let bounded = percent.isFinite ? min(max(percent, 0), 100) : 100
    fraction.numerator = UInt32((bounded * 10_000).rounded())
    fraction.denominator = .million
    return fraction
  }

  /// Hash policies for a destination whose DestinationRule asks for consistent hashing.
  func hashPolicies(host: String, subset: String?, port: UInt32) -> [RouteAction.HashPolicy] {
    let rule = routingRule(host: host)
    let subsetSpec = subset.flatMap { name in rule?.subsets?.first { $0.name == name } }
    let policy = EffectivePolicy(rule: rule, subset: subsetSpec, port: port)
    guard let hash = policy.loadBalancer?.consistentHash else { return [] }
    var out = RouteAction.HashPolicy()
    if let header = hash.httpHeaderName, !header.isEmpty {
      out.header.headerName = header
    } else if let cookie = hash.httpCookie, let name = cookie.name, !name.isEmpty {
      out.cookie.name = name
      if let path = cookie.path { out.cookie.path = path }
      if let ttl = cookie.ttl.flatMap(ClusterBuilder.duration) { out.cookie.ttl = ttl }
    } else if hash.useSourceIp == true {
      out.connectionProperties.sourceIp = true
    } else if let name = hash.httpQueryParameterName, !name.isEmpty {
      out.queryParameter.name = name
    } else {
      return []
    }
    return [out]
  }
}
