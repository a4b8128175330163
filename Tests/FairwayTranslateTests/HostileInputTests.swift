import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayTranslate
import Testing

/// Specs that validation would reject, fed straight into snapshots: translation must still
/// produce something sensible and never crash (a crash on any input is a bug).
@Suite struct HostileInputTests {
  func object(_ name: String, _ spec: ConfigSpec, namespace: String = "default") -> ConfigObject {
    ConfigObject(
      key: ConfigKey(kind: spec.kind, namespace: namespace, name: name),
      apiVersion: "networking.istio.io/v1", metadata: ConfigMetadata(), spec: spec,
      rawSpec: .object([:]))
  }

  func hostileObjects() -> [ConfigObject] {
    var entry = ServiceEntry()
    entry.hosts = ["", "*", "*.wild.com", "UPPER.Example.COM", "short", "a..b", "::1", "x:80"]
    entry.addresses = ["10.0.0.1/24", "not-an-ip", "fd00::1", ""]
    entry.ports = [
      ServicePort(number: 0, protocol: "HTTP", name: "http"),
      ServicePort(number: 70_000, protocol: "HTTP", name: "http"),
      ServicePort(number: -1, protocol: nil, name: nil),
      ServicePort(number: 80, protocol: "weird", name: "http-x", targetPort: -5),
      ServicePort(number: 80, protocol: "TCP", name: "dup"),
      ServicePort(number: 443, protocol: "GRPC", name: "grpc", targetPort: 99_999),
      ServicePort(number: 20880, protocol: "DUBBO", name: "tcp-dubbo"),
    ]
    entry.resolution = "STATIC"
    var endpoint = WorkloadEntry()
    endpoint.address = "not an ip"
    endpoint.weight = -3
    endpoint.locality = "////"
    endpoint.ports = ["http-x": 0, "grpc": 1_000_000]
    var unix = WorkloadEntry()
    unix.address = "unix://"
    var huge = WorkloadEntry()
    huge.address = "10.0.0.2"
    huge.weight = Int.max
    var huge2 = huge
    huge2.address = "10.0.0.3"
    var empty = WorkloadEntry()
    empty.address = "   "
    entry.endpoints = [endpoint, unix, huge, huge2, empty, WorkloadEntry()]
    entry.workloadSelector = WorkloadSelector(labels: [:])

    var dns = ServiceEntry()
    dns.hosts = ["*.dns.com", "dns.example.com"]
    dns.resolution = "DNS_ROUND_ROBIN"
    dns.ports = [ServicePort(number: 53, protocol: "UDP", name: "udp")]

    var rule = DestinationRule()
    rule.host = "*"
    var policy = TrafficPolicy()
    var lb = LoadBalancerSettings()
    var hash = LoadBalancerSettings.ConsistentHash()
    hash.httpCookie = LoadBalancerSettings.ConsistentHash.HTTPCookie()
    hash.minimumRingSize = -10
    lb.consistentHash = hash
    policy.loadBalancer = lb
    var pool = ConnectionPoolSettings()
    var tcp = ConnectionPoolSettings.TCPSettings()
    tcp.maxConnections = -1
    tcp.connectTimeout = IstioDuration("-5s")
    pool.tcp = tcp
    var http = ConnectionPoolSettings.HTTPSettings()
    http.http2MaxRequests = Int.max
    http.maxConcurrentStreams = Int.min
    pool.http = http
    policy.connectionPool = pool
    var outlier = OutlierDetection()
    outlier.consecutive5xxErrors = -1
    outlier.maxEjectionPercent = 1_000
    outlier.minHealthPercent = -4
    policy.outlierDetection = outlier
    var portLevel = TrafficPolicy.PortTrafficPolicy()
    portLevel.port = PortSelector(number: nil)
    policy.portLevelSettings = [portLevel]
    rule.trafficPolicy = policy
    rule.subsets = [Subset(name: nil), Subset(name: ""), Subset(name: "x", labels: ["a": "b"])]

    var service = VirtualService()
    service.hosts = ["*", "short", ""]
    var route = HTTPRoute()
    var match = HTTPMatchRequest()
    match.uri = StringMatch()
    match.headers = ["": StringMatch(), "x": StringMatch(exact: "")]
    match.port = -1
    var match2 = HTTPMatchRequest()
    match2.queryParams = ["q": StringMatch(regex: "(")]
    route.match = [match, match2]
    route.route = [
      HTTPRouteDestination(destination: Destination(host: "", subset: nil), weight: -5),
      HTTPRouteDestination(
        destination: Destination(host: "short", port: PortSelector(number: 0)), weight: Int.max),
      HTTPRouteDestination(
        destination: Destination(host: "short", port: PortSelector(number: 80)), weight: Int.max),
      HTTPRouteDestination(destination: nil, weight: 1),
    ]
    var fault = HTTPFaultInjection()
    var abort = HTTPFaultInjection.Abort()
    abort.httpStatus = 9_999
    abort.grpcStatus = "NOPE"
    fault.abort = abort
    var delay = HTTPFaultInjection.Delay()
    delay.fixedDelay = IstioDuration("-1s")
    delay.percent = -50
    fault.delay = delay
    route.fault = fault
    var retries = HTTPRetry()
    retries.attempts = -7
    retries.retryOn = ",,, ,503,abc,99999999999"
    route.retries = retries
    route.mirrorPercentage = Percent(value: .nan)
    route.mirror = Destination(host: "short")
    route.timeout = IstioDuration("-3s")
    var redirectRoute = HTTPRoute()
    var redirect = HTTPRedirect()
    redirect.port = -80
    redirect.redirectCode = 12
    redirectRoute.redirect = redirect
    var direct = HTTPRoute()
    var response = HTTPDirectResponse()
    response.status = -1
    var body = HTTPDirectResponse.Body()
    body.bytes = "%%%not base64"
    response.body = body
    direct.directResponse = response
    service.http = [route, redirectRoute, direct, HTTPRoute()]
    var tcpRoute = TCPRoute()
    tcpRoute.route = [RouteDestination(destination: Destination(host: "short"), weight: 0)]
    service.tcp = [tcpRoute]

    var workload = WorkloadEntry()
    workload.address = "10.0.0.2"
    workload.labels = [:]

    return [
      object("hostile", .serviceEntry(entry)), object("dns", .serviceEntry(dns)),
      object("all", .destinationRule(rule)), object("all", .virtualService(service)),
      object("w", .workloadEntry(workload)),
      object("other-ns", .serviceEntry(entry), namespace: "other"),
    ]
  }

  @Test(arguments: [Proxy.Client.envoy, .mosn, .grpc])
  func translatesWithoutCrashing(client: Proxy.Client) {
    let translator = MeshTranslator(snapshot: MeshSnapshot(revision: 1, objects: hostileObjects()))
    var proxy = Proxy(id: "garbage", client: client, ipAddresses: ["10.0.0.2", "", "::"])
    for mode in [Proxy.InterceptionMode.redirect, .none] {
      proxy.interceptionMode = mode
      for type in XDSResourceType.allCases {
        _ = translator.resources(for: proxy, type: type, requestedNames: nil)
        _ = translator.resources(
          for: proxy, type: type,
          requestedNames: ["", ":", "short:80", "x:99999999999", "*:80", "a:b:c"])
      }
      #expect(!translator.configDump(for: proxy).jsonString().isEmpty)
    }
  }

  @Test func hostileRouteWeightsStillFitEnvoysSum() throws {
    let translator = MeshTranslator(snapshot: MeshSnapshot(revision: 1, objects: hostileObjects()))
    let proxy = Proxy(id: "p", namespace: "default")
    let set = translator.resources(for: proxy, type: .route, requestedNames: nil)
    var weighted = 0
    for name in set.names {
      let config = try Meshes.decode(Envoy_Config_Route_V3_RouteConfiguration.self, set[name])
      for route in config.virtualHosts.flatMap(\.routes)
      where !route.route.weightedClusters.clusters.isEmpty {
        let weights = route.route.weightedClusters.clusters.map { UInt64($0.weight.value) }
        #expect(weights.allSatisfy { $0 > 0 })
        // Envoy sums the weights (total_weight is deprecated): the sum must fit 32 bits.
        #expect(weights.reduce(0, +) <= UInt64(UInt32.max))
        #expect(!route.route.weightedClusters.hasTotalWeight)
        weighted += 1
      }
    }
    #expect(weighted > 0)
  }

  @Test func hostileWeightsNeverOverflow() throws {
    let translator = MeshTranslator(snapshot: MeshSnapshot(revision: 1, objects: hostileObjects()))
    let proxy = Proxy(id: "p", namespace: "default")
    let set = translator.resources(for: proxy, type: .endpoint, requestedNames: nil)
    for name in set.names {
      let assignment = try Meshes.decode(
        Envoy_Config_Endpoint_V3_ClusterLoadAssignment.self, set[name])
      for locality in assignment.endpoints {
        #expect(locality.loadBalancingWeight.value >= 1)
        #expect(locality.lbEndpoints.allSatisfy { $0.loadBalancingWeight.value >= 1 })
      }
    }
  }
}
