import Foundation
import PropertyBased

/// Random valid Istio meshes: ServiceEntries of every resolution and port protocol,
/// WorkloadEntries, DestinationRules with every traffic policy the translator maps, and
/// VirtualServices with every HTTP, TCP and Dubbo route feature it maps. The same seed gives the
/// same mesh. Each mesh is a YAML stream (one JSON document per object, which YAML reads too).
struct MeshGenerator {
  private var rng: Xoshiro
  private var objects: [[String: Any]] = []
  private var nextAddress = 1

  /// Services generated so far, for routes and rules to refer to.
  private struct Service {
    let host: String
    let namespace: String
    let ports: [(number: Int, proto: String)]
    let subsets: [String]
  }

  init(seed: UInt64) {
    rng = Xoshiro(
      seed: (seed &+ 0x9E37_79B9_7F4A_7C15, seed &* 31 &+ 7, 0xDEAD_BEEF, seed ^ 0x5555))
    for _ in 0..<8 { _ = rng.next() }
  }

  static func yaml(seed: UInt64) -> String {
    var generator = MeshGenerator(seed: seed)
    // The comment makes the stream YAML (flow documents), not one JSON value.
    return "# generated mesh, seed \(seed)\n" + generator.mesh()
  }

  mutating func mesh() -> String {
    objects = []
    var services: [Service] = []
    for index in 0..<int(1...4) {
      services.append(service(index))
    }
    for service in services {
      if chance(0.6) { objects.append(destinationRule(service)) }
      if chance(0.75) { objects.append(virtualService(service, all: services)) }
    }
    return objects.compactMap { object in
      guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
      else { return nil }
      return String(decoding: data, as: UTF8.self)
    }.joined(separator: "\n---\n") + "\n"
  }

  // MARK: - ServiceEntry and WorkloadEntry

  private static let protocols = [
    "HTTP", "HTTP", "HTTP2", "GRPC", "GRPC-WEB", "TCP", "TCP", "TLS", "HTTPS", "MONGO", "REDIS",
    "MYSQL", "DUBBO",
  ]
  private static let portNumbers = [
    80, 443, 8080, 8443, 9080, 9090, 5432, 6379, 27017, 50051, 20882,
  ]

  private mutating func service(_ index: Int) -> Service {
    let namespace = pick(["default", "default", "shop"])
    let dubbo = chance(0.12)
    let host =
      dubbo
      ? "io.fairway.gen.Service\(index)"
      : pick(["svc\(index).\(namespace).svc.cluster.local", "api\(index).example.com"])
    var ports: [(Int, String)] = []
    var used: Set<Int> = []
    for _ in 0..<(dubbo ? 1 : int(1...3)) {
      let number = dubbo ? 20882 : pick(Self.portNumbers)
      guard used.insert(number).inserted else { continue }
      ports.append((number, dubbo ? "DUBBO" : pick(Self.protocols)))
    }
    var portSpecs: [[String: Any]] = []
    for (number, proto) in ports {
      var spec: [String: Any] = [
        "number": number, "protocol": proto, "name": "\(proto.lowercased())-\(number)",
      ]
      if chance(0.2) { spec["targetPort"] = number + 1000 }
      portSpecs.append(spec)
    }
    let resolution =
      dubbo ? "STATIC" : pick(["STATIC", "STATIC", "DNS", "DNS_ROUND_ROBIN", "NONE"])
    var spec: [String: Any] = [
      "hosts": [host], "ports": portSpecs, "resolution": resolution,
      "location": pick(["MESH_INTERNAL", "MESH_EXTERNAL"]),
    ]
    if chance(0.3) || resolution == "NONE" && chance(0.5) {
      spec["addresses"] = ["240.240.\(int(1...250)).\(int(1...250))"]
    }
    var subsets: [String] = []
    switch resolution {
    case "STATIC":
      if chance(0.5) {
        spec["workloadSelector"] = ["labels": ["app": "gen\(index)"]]
        for version in ["v1", "v2"].prefix(int(1...2)) {
          objects.append(
            object(
              "WorkloadEntry", "gen\(index)-\(version)", namespace,
              [
                "address": address(), "labels": ["app": "gen\(index)", "version": version],
                "locality": pick(["us-east/zone-a", "us-east/zone-b", "eu-west/eu-west-1a/rack1"]),
                "weight": int(1...5),
              ]))
          subsets.append(version)
        }
      } else {
        spec["endpoints"] = (0..<int(1...3)).map { position -> [String: Any] in
          let version = position == 0 ? "v1" : pick(["v1", "v2"])
          if !subsets.contains(version) { subsets.append(version) }
          var endpoint: [String: Any] = ["address": address(), "labels": ["version": version]]
          if chance(0.5) { endpoint["locality"] = pick(["us-east/zone-a", "eu-west/eu-west-1b"]) }
          if chance(0.4) { endpoint["weight"] = int(1...10) }
          return endpoint
        }
      }
    case "DNS", "DNS_ROUND_ROBIN":
      if chance(0.5) {
        let count = resolution == "DNS" ? int(1...2) : 1
        spec["endpoints"] = (0..<count).map { position -> [String: Any] in
          ["address": "backend\(position).example.internal", "labels": ["version": "v1"]]
        }
        subsets = ["v1"]
      }
    default:
      break
    }
    objects.append(object("ServiceEntry", "gen\(index)", namespace, spec))
    return Service(host: host, namespace: namespace, ports: ports, subsets: subsets)
  }

  private mutating func address() -> String {
    defer { nextAddress += 1 }
    return "10.88.\(nextAddress / 250).\(nextAddress % 250 + 1)"
  }

  // MARK: - DestinationRule

  private mutating func destinationRule(_ service: Service) -> [String: Any] {
    var spec: [String: Any] = ["host": service.host]
    if chance(0.8) { spec["trafficPolicy"] = trafficPolicy(ports: service.ports.map(\.number)) }
    if !service.subsets.isEmpty {
      spec["subsets"] = service.subsets.map { version -> [String: Any] in
        var subset: [String: Any] = ["name": version, "labels": ["version": version]]
        if chance(0.3) { subset["trafficPolicy"] = trafficPolicy(ports: []) }
        return subset
      }
    }
    return object(
      "DestinationRule",
      service.host.replacingOccurrences(of: ".", with: "-")
        .lowercased().prefix(60).description, service.namespace, spec)
  }

  private mutating func trafficPolicy(ports: [Int]) -> [String: Any] {
    var policy: [String: Any] = [:]
    if chance(0.6) { policy["loadBalancer"] = loadBalancer() }
    if chance(0.6) {
      var tcp: [String: Any] = [:]
      if chance(0.5) { tcp["maxConnections"] = int(1...1000) }
      if chance(0.5) { tcp["connectTimeout"] = pick(["30ms", "1s", "3s", "10s"]) }
      var http: [String: Any] = [:]
      if chance(0.4) { http["http1MaxPendingRequests"] = int(1...100) }
      if chance(0.4) { http["http2MaxRequests"] = int(1...1000) }
      if chance(0.4) { http["maxRequestsPerConnection"] = int(1...100) }
      if chance(0.4) { http["maxRetries"] = int(1...10) }
      if chance(0.3) { http["idleTimeout"] = pick(["30s", "1m", "1h"]) }
      if chance(0.2) { http["h2UpgradePolicy"] = pick(["UPGRADE", "DO_NOT_UPGRADE", "DEFAULT"]) }
      if chance(0.15) { http["useClientProtocol"] = true }
      if chance(0.2) { http["maxConcurrentStreams"] = int(1...1000) }
      var pool: [String: Any] = [:]
      if !tcp.isEmpty { pool["tcp"] = tcp }
      if !http.isEmpty { pool["http"] = http }
      if !pool.isEmpty { policy["connectionPool"] = pool }
    }
    if chance(0.4) {
      var outlier: [String: Any] = [:]
      if chance(0.6) { outlier["consecutive5xxErrors"] = int(0...10) }
      if chance(0.4) { outlier["consecutiveGatewayErrors"] = int(0...10) }
      if chance(0.5) { outlier["interval"] = pick(["1s", "10s", "30s"]) }
      if chance(0.5) { outlier["baseEjectionTime"] = pick(["30s", "1m", "3m"]) }
      if chance(0.5) { outlier["maxEjectionPercent"] = int(0...100) }
      if chance(0.3) { outlier["minHealthPercent"] = int(0...100) }
      if chance(0.2) {
        outlier["splitExternalLocalOriginErrors"] = true
        outlier["consecutiveLocalOriginFailures"] = int(1...10)
      }
      policy["outlierDetection"] = outlier
    }
    if let port = ports.first, chance(0.3) {
      policy["portLevelSettings"] = [
        ["port": ["number": port], "loadBalancer": loadBalancer()] as [String: Any]
      ]
    }
    if policy.isEmpty { policy["loadBalancer"] = loadBalancer() }
    return policy
  }

  private mutating func loadBalancer() -> [String: Any] {
    if chance(0.6) {
      return ["simple": pick(["ROUND_ROBIN", "LEAST_REQUEST", "RANDOM", "PASSTHROUGH"])]
    }
    var hash: [String: Any] = [:]
    switch int(0...3) {
    case 0: hash["httpHeaderName"] = "x-user"
    case 1:
      hash["httpCookie"] = ["name": "session", "ttl": pick(["0s", "60s"]), "path": "/"]
    case 2: hash["useSourceIp"] = true
    default: hash["httpQueryParameterName"] = "user"
    }
    switch int(0...2) {
    case 0: hash["ringHash"] = ["minimumRingSize": int(64...4096)]
    case 1: hash["maglev"] = ["tableSize": pick([65537, 131])]
    default: break
    }
    return ["consistentHash": hash]
  }

  // MARK: - VirtualService

  private mutating func virtualService(_ service: Service, all: [Service]) -> [String: Any] {
    var spec: [String: Any] = ["hosts": [service.host]]
    let protos = Set(service.ports.map(\.proto))
    let http = protos.contains { ["HTTP", "HTTP2", "GRPC", "GRPC-WEB"].contains($0) }
    let dubbo = protos.contains("DUBBO")
    if dubbo {
      spec["http"] = (0..<int(1...3)).map { _ in dubboRoute(service) }
    } else if http {
      spec["http"] = (0..<int(1...4)).map { _ in httpRoute(service, all: all) }
    }
    let tcpPorts = service.ports.filter { ["TCP", "MONGO", "REDIS", "MYSQL"].contains($0.proto) }
    if !tcpPorts.isEmpty, chance(0.7) {
      spec["tcp"] = [
        [
          "match": [["port": pick(tcpPorts).number]],
          "route": destinations(service, port: nil),
        ] as [String: Any]
      ]
    }
    if spec["http"] == nil, spec["tcp"] == nil {
      spec["tcp"] = [["route": destinations(service, port: nil)] as [String: Any]]
    }
    return object(
      "VirtualService", service.host.replacingOccurrences(of: ".", with: "-").lowercased(),
      service.namespace, spec)
  }

  /// One destination, or several whose weights sum to 100.
  private mutating func destinations(_ service: Service, port: Int?) -> [[String: Any]] {
    func destination(_ subset: String?) -> [String: Any] {
      var out: [String: Any] = ["host": service.host]
      if let subset { out["subset"] = subset }
      if let port { out["port"] = ["number": port] }
      return out
    }
    let targets: [String?] = service.subsets.isEmpty ? [nil] : [nil] + service.subsets
    if targets.count == 1 || chance(0.4) {
      return [["destination": destination(pick(targets))]]
    }
    let count = min(targets.count, int(2...3))
    let chosen = Array(targets.prefix(count))
    var remaining = 100
    return chosen.enumerated().map { position, subset in
      let weight = position == chosen.count - 1 ? remaining : int(0...remaining)
      remaining -= weight
      return ["destination": destination(subset), "weight": weight]
    }
  }

  private mutating func httpRoute(_ service: Service, all: [Service]) -> [String: Any] {
    var route: [String: Any] = ["name": "r\(int(0...9999))"]
    if chance(0.7) { route["match"] = (0..<int(1...2)).map { _ in httpMatch() } }
    let port = chance(0.3) ? service.ports.first?.number : nil
    switch int(0...9) {
    case 0:
      var redirect: [String: Any] = ["uri": "/moved"]
      if chance(0.5) { redirect["authority"] = "elsewhere.example.com" }
      if chance(0.5) { redirect["redirectCode"] = pick([301, 302, 307, 308]) }
      if chance(0.3) { redirect["scheme"] = "https" }
      route["redirect"] = redirect
      return route
    case 1:
      var response: [String: Any] = ["status": pick([200, 404, 503])]
      if chance(0.5) { response["body"] = ["string": "generated"] }
      route["directResponse"] = response
      return route
    default:
      route["route"] = destinations(service, port: port)
    }
    if chance(0.3) {
      var rewrite: [String: Any] = [:]
      if chance(0.5) {
        rewrite["uri"] = "/v2"
      } else {
        rewrite["uriRegexRewrite"] = ["match": "^/old/(.*)$", "rewrite": "/new/\\1"]
      }
      if chance(0.3) { rewrite["authority"] = "rewritten.example.com" }
      route["rewrite"] = rewrite
    }
    if chance(0.4) { route["timeout"] = pick(["0s", "500ms", "5s", "1m"]) }
    if chance(0.4) {
      var retries: [String: Any] = ["attempts": int(0...5)]
      if chance(0.5) { retries["perTryTimeout"] = pick(["100ms", "2s"]) }
      if chance(0.5) {
        retries["retryOn"] = pick(["5xx", "gateway-error,connect-failure", "5xx,503,reset"])
      }
      if chance(0.2) { retries["retryRemoteLocalities"] = true }
      route["retries"] = retries
    }
    if chance(0.25) {
      var fault: [String: Any] = [:]
      if chance(0.5) {
        fault["delay"] = ["fixedDelay": pick(["1s", "100ms"]), "percentage": ["value": 10.5]]
      }
      if fault.isEmpty || chance(0.5) {
        fault["abort"] =
          chance(0.7)
          ? ["httpStatus": pick([400, 503]), "percentage": ["value": 50.0]]
          : ["grpcStatus": "UNAVAILABLE", "percentage": ["value": 5.0]]
      }
      route["fault"] = fault
    }
    if chance(0.2), let target = all.randomElement(using: &rng),
      target.ports.contains(where: { ["HTTP", "HTTP2", "GRPC"].contains($0.proto) })
    {
      route["mirror"] = ["host": target.host]
      if chance(0.5) { route["mirrorPercentage"] = ["value": 25.0] }
    }
    if chance(0.2) {
      route["corsPolicy"] =
        [
          "allowOrigins": [["exact": "https://example.com"], ["prefix": "https://app."]],
          "allowMethods": ["GET", "POST"], "allowHeaders": ["x-user"], "exposeHeaders": ["x-trace"],
          "maxAge": "24h", "allowCredentials": chance(0.5),
        ] as [String: Any]
    }
    if chance(0.3) {
      route["headers"] = [
        "request": ["set": ["x-gen": "1"], "add": ["x-added": "yes"], "remove": ["x-secret"]],
        "response": ["set": ["x-served-by": "fairway"], "remove": ["server"]],
      ]
    }
    return route
  }

  private mutating func httpMatch() -> [String: Any] {
    var match: [String: Any] = [:]
    if chance(0.6) {
      match["uri"] = stringMatch(exact: "/api", prefix: "/api/", regex: "^/api/v[0-9]+/.*")
    }
    if chance(0.4) {
      match["headers"] = ["end-user": stringMatch(exact: "jason", prefix: "ja", regex: "j.*n")]
    }
    if chance(0.2) { match["method"] = ["exact": pick(["GET", "POST"])] }
    if chance(0.2) { match["queryParams"] = ["debug": ["exact": "1"]] }
    if chance(0.15) { match["withoutHeaders"] = ["x-skip": ["exact": "true"]] }
    if chance(0.15) { match["ignoreUriCase"] = true }
    if chance(0.1) { match["authority"] = ["prefix": "api"] }
    if chance(0.1) { match["sourceLabels"] = ["app": "productpage"] }
    return match
  }

  private mutating func stringMatch(exact: String, prefix: String, regex: String) -> [String: Any] {
    switch int(0...2) {
    case 0: return ["exact": exact]
    case 1: return ["prefix": prefix]
    default: return ["regex": regex]
    }
  }

  private mutating func dubboRoute(_ service: Service) -> [String: Any] {
    var route: [String: Any] = ["route": destinations(service, port: nil)]
    var match: [String: Any] = [:]
    if chance(0.5) { match["method"] = ["exact": pick(["sayHello", "greet"])] }
    if chance(0.4) {
      match["headers"] = ["x-user-tag": stringMatch(exact: "canary", prefix: "ca", regex: "c.*y")]
    }
    if !match.isEmpty { route["match"] = [match] }
    if chance(0.3) { route["timeout"] = "3s" }
    if chance(0.3) { route["retries"] = ["attempts": int(1...3)] }
    return route
  }

  // MARK: - Helpers

  private func object(_ kind: String, _ name: String, _ namespace: String, _ spec: [String: Any])
    -> [String: Any]
  {
    [
      "apiVersion": "networking.istio.io/v1", "kind": kind,
      "metadata": ["name": name, "namespace": namespace], "spec": spec,
    ]
  }

  private mutating func chance(_ probability: Double) -> Bool {
    Double.random(in: 0..<1, using: &rng) < probability
  }

  private mutating func int(_ range: ClosedRange<Int>) -> Int {
    Int.random(in: range, using: &rng)
  }

  private mutating func pick<T>(_ items: [T]) -> T {
    items[Int.random(in: 0..<items.count, using: &rng)]
  }
}
