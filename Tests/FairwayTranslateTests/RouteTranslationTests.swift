import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayTranslate
import SwiftProtobuf
import Testing

@Suite struct RouteTranslationTests {
  typealias RouteConfiguration = Envoy_Config_Route_V3_RouteConfiguration

  func routeConfig(_ translator: MeshTranslator, _ name: String, proxy: Proxy = Meshes.envoy)
    throws -> RouteConfiguration
  {
    let set = translator.resources(for: proxy, type: .route, requestedNames: nil)
    return try Meshes.decode(RouteConfiguration.self, set[name])
  }

  func host(_ config: RouteConfiguration, _ name: String) throws
    -> Envoy_Config_Route_V3_VirtualHost
  {
    try #require(config.virtualHosts.first { $0.name == name })
  }

  /// A one-service mesh whose VirtualService http section is `http`.
  func mesh(http: String, extra: String = "") -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: web, namespace: default}
    spec:
      hosts: [web.default.svc.cluster.local]
      resolution: STATIC
      ports: [{number: 80, name: http, protocol: HTTP}]
      endpoints: [{address: 10.8.0.1, labels: {version: v1}}, {address: 10.8.0.2, labels: {version: v2}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: web, namespace: default}
    spec:
      host: web
      subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: web, namespace: default}
    spec:
      hosts: [web]
      http:
    \(http)
    \(extra)
    """
  }

  @Test func virtualHostsAndDomains() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let config = try routeConfig(translator, "9080")
    #expect(config.name == "9080")
    let ratings = try host(config, "ratings.default.svc.cluster.local:9080")
    #expect(
      Set(ratings.domains) == [
        "ratings.default.svc.cluster.local", "ratings.default.svc.cluster.local:9080",
        "ratings", "ratings:9080", "ratings.default", "ratings.default:9080",
        "ratings.default.svc", "ratings.default.svc:9080",
      ])
    #expect(config.virtualHosts.last?.name == "allow_any")
    #expect(config.virtualHosts.last?.domains == ["*"])
    let route = try #require(ratings.routes.first)
    #expect(route.match.prefix == "/")
    #expect(route.route.cluster == "outbound|9080||ratings.default.svc.cluster.local")
    #expect(route.route.timeout.seconds == 0)
    #expect(route.route.retryPolicy.numRetries.value == 2)
    #expect(
      route.route.retryPolicy.retryOn
        == "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes")
  }

  @Test func shortNameOnlyFromTheSameNamespace() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let other = Proxy(id: "sidecar~10.9.9.9~x.other~other.svc.cluster.local", namespace: "other")
    let config = try routeConfig(translator, "9080", proxy: other)
    let ratings = try host(config, "ratings.default.svc.cluster.local:9080")
    #expect(!ratings.domains.contains("ratings"))
    #expect(ratings.domains.contains("ratings.default"))
  }

  @Test func headerMatchThenWeightedSplit() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let config = try routeConfig(translator, "9080")
    let reviews = try host(config, "reviews.default.svc.cluster.local:9080")
    #expect(reviews.routes.count == 2)
    let jason = reviews.routes[0]
    #expect(jason.name == "jason")
    #expect(jason.match.prefix == "/")
    #expect(jason.match.headers.first?.name == "end-user")
    #expect(jason.match.headers.first?.stringMatch.exact == "jason")
    #expect(jason.route.cluster == "outbound|9080|v2|reviews.default.svc.cluster.local")
    let split = reviews.routes[1]
    let clusters = split.route.weightedClusters.clusters
    #expect(
      clusters.map(\.name) == [
        "outbound|9080|v1|reviews.default.svc.cluster.local",
        "outbound|9080|v3|reviews.default.svc.cluster.local",
      ])
    #expect(clusters.map(\.weight.value) == [50, 50])
    // Envoy 1.40 deprecates total_weight: the weights' sum is the total.
    #expect(!split.route.weightedClusters.hasTotalWeight)
    #expect(split.route.timeout.seconds == 5)
    #expect(split.route.retryPolicy.numRetries.value == 3)
    #expect(split.route.retryPolicy.perTryTimeout.seconds == 2)
    #expect(split.route.retryPolicy.retryOn == "5xx,retriable-status-codes")
    #expect(split.route.retryPolicy.retriableStatusCodes == [503])
  }

  @Test func matchConditions() throws {
    let translator = try Meshes.translator(
      mesh(
        http: """
            - match:
              - uri: {exact: /exact}
                method: {exact: GET}
                authority: {prefix: web}
                scheme: {exact: http}
                ignoreUriCase: true
              - uri: {regex: "/r/[0-9]+"}
                withoutHeaders: {x-debug: {exact: "1"}}
                queryParams: {q: {exact: v}, flag: {}}
              - uri: {prefix: /p}
                headers: {x-present: {}}
              route: [{destination: {host: web, subset: v1}}]
            - match:
              - port: 8080
                uri: {prefix: /never}
              route: [{destination: {host: web}}]
            - match:
              - sourceLabels: {app: productpage}
                uri: {prefix: /from-productpage}
              route: [{destination: {host: web, subset: v2}}]
            - route: [{destination: {host: web}}]
          """))
    let config = try routeConfig(translator, "80")
    let web = try host(config, "web.default.svc.cluster.local:80")
    #expect(web.routes.count == 5)
    let exact = web.routes[0].match
    #expect(exact.path == "/exact")
    #expect(exact.caseSensitive.value == false)
    #expect(exact.headers.map(\.name) == [":method", ":authority", ":scheme"])
    #expect(exact.headers[1].stringMatch.prefix == "web")
    let regex = web.routes[1].match
    #expect(regex.safeRegex.regex == "/r/[0-9]+")
    #expect(regex.headers.first?.invertMatch == true)
    #expect(regex.queryParameters.map(\.name) == ["flag", "q"])
    #expect(regex.queryParameters[0].presentMatch)
    #expect(regex.queryParameters[1].stringMatch.exact == "v")
    let prefix = web.routes[2].match
    #expect(prefix.prefix == "/p")
    #expect(prefix.headers.first?.presentMatch == true)
    // The port-8080-only route is skipped; the source-labelled one applies to productpage.
    #expect(web.routes[3].match.prefix == "/from-productpage")
    #expect(web.routes[4].match.prefix == "/")
    #expect(web.routes[4].route.cluster == "outbound|80||web.default.svc.cluster.local")
  }

  @Test func rewriteRedirectMirrorFaultCorsHeaders() throws {
    let translator = try Meshes.translator(
      mesh(
        http: """
            - match: [{uri: {prefix: /old}}]
              redirect: {uri: /new, authority: other.example.com, redirectCode: 302}
            - match: [{uri: {prefix: /api}}]
              rewrite: {uri: /v1/api, authority: backend.internal}
              route: [{destination: {host: web, subset: v1}}]
              mirror: {host: web, subset: v2}
              mirrorPercentage: {value: 12.5}
              fault:
                delay: {fixedDelay: 2s, percentage: {value: 10}}
                abort: {httpStatus: 503, percentage: {value: 0.5}}
              corsPolicy:
                allowOrigins: [{exact: "https://a.example.com"}, {regex: ".*\\\\.b\\\\.com"}]
                allowMethods: [GET, POST]
                allowHeaders: [x-a]
                maxAge: 24h
                allowCredentials: true
              headers:
                request: {set: {x-set: "1"}, add: {x-add: "2"}, remove: [x-remove]}
                response: {remove: [server]}
            - route: [{destination: {host: web}}]
          """))
    let config = try routeConfig(translator, "80")
    let web = try host(config, "web.default.svc.cluster.local:80")
    let redirect = web.routes[0].redirect
    #expect(redirect.pathRedirect == "/new")
    #expect(redirect.hostRedirect == "other.example.com")
    #expect(redirect.responseCode == .found)
    let api = web.routes[1]
    #expect(api.route.prefixRewrite == "/v1/api")
    #expect(api.route.hostRewriteLiteral == "backend.internal")
    let mirror = try #require(api.route.requestMirrorPolicies.first)
    #expect(mirror.cluster == "outbound|80|v2|web.default.svc.cluster.local")
    #expect(mirror.runtimeFraction.defaultValue.numerator == 125_000)
    #expect(mirror.runtimeFraction.defaultValue.denominator == .million)
    let any = try #require(api.typedPerFilterConfig["envoy.filters.http.fault"])
    #expect(any.typeURL == "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault")
    let fault = try Envoy_Extensions_Filters_Http_Fault_V3_HTTPFault(serializedBytes: any.value)
    #expect(fault.delay.fixedDelay.seconds == 2)
    #expect(fault.delay.percentage.numerator == 100_000)
    #expect(fault.abort.httpStatus == 503)
    #expect(fault.abort.percentage.numerator == 5_000)
    // The CORS filter's per-route policy; RouteAction.cors is deprecated in Envoy 1.40.
    #expect(!api.route.hasCors)
    let corsAny = try #require(api.typedPerFilterConfig["envoy.filters.http.cors"])
    let cors = try Envoy_Extensions_Filters_Http_Cors_V3_CorsPolicy(serializedBytes: corsAny.value)
    #expect(cors.allowOriginStringMatch.count == 2)
    #expect(cors.allowOriginStringMatch[0].exact == "https://a.example.com")
    #expect(cors.allowMethods == "GET,POST")
    #expect(cors.maxAge == "86400")
    #expect(cors.allowCredentials.value)
    #expect(api.requestHeadersToAdd.map(\.header.key) == ["x-set", "x-add"])
    #expect(
      api.requestHeadersToAdd.map(\.appendAction) == [
        .overwriteIfExistsOrAdd, .appendIfExistsOrAdd,
      ])
    #expect(api.requestHeadersToRemove == ["x-remove"])
    #expect(api.responseHeadersToRemove == ["server"])

    let listeners = translator.resources(
      for: Meshes.envoy, type: .listener, requestedNames: ["0.0.0.0_80"])
    let listener = try Meshes.decode(
      Envoy_Config_Listener_V3_Listener.self, listeners["0.0.0.0_80"])
    let hcm = try Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager(
      serializedBytes: listener.filterChains[0].filters[0].typedConfig.value)
    #expect(
      hcm.httpFilters.map(\.name) == [
        "envoy.filters.http.cors", "envoy.filters.http.fault", "envoy.filters.http.router",
      ])
  }

  @Test func retriesDisabledAndWeightZeroDropped() throws {
    let translator = try Meshes.translator(
      mesh(
        http: """
            - retries: {attempts: 0}
              route:
              - {destination: {host: web, subset: v1}, weight: 100}
              - {destination: {host: web, subset: v2}, weight: 0}
          """))
    let web = try host(try routeConfig(translator, "80"), "web.default.svc.cluster.local:80")
    let route = try #require(web.routes.first)
    #expect(!route.route.hasRetryPolicy)
    #expect(route.route.cluster == "outbound|80|v1|web.default.svc.cluster.local")
  }

  @Test func virtualServiceWithNothingForThePortKeepsTheDefaultRoute() throws {
    let translator = try Meshes.translator(
      mesh(
        http: """
            - match: [{port: 8080}]
              route: [{destination: {host: web, subset: v1}}]
          """))
    let web = try host(try routeConfig(translator, "80"), "web.default.svc.cluster.local:80")
    #expect(web.routes.count == 1)
    #expect(web.routes.first?.route.cluster == "outbound|80||web.default.svc.cluster.local")
  }

  @Test func consistentHashAddsHashPolicy() throws {
    let translator = try Meshes.translator(Meshes.localities)
    let shop = Proxy(id: "sidecar~10.0.0.1~a.shop~shop.svc.cluster.local", namespace: "shop")
    let config = try routeConfig(translator, "50051", proxy: shop)
    let catalog = try host(config, "catalog.shop.svc.cluster.local:50051")
    #expect(catalog.routes.first?.route.hashPolicy.first?.header.headerName == "x-user")
  }

  @Test func mosnGetsLegacyHeaderMatchers() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let config = try routeConfig(translator, "9080", proxy: Meshes.mosn)
    let reviews = try host(config, "reviews.default.svc.cluster.local:9080")
    let matcher = try #require(reviews.routes.first?.match.headers.first)
    #expect(matcher.exactMatch == "jason")
    // MOSN dials its listeners directly: no ALLOW_ANY passthrough.
    #expect(!config.virtualHosts.contains { $0.name == "allow_any" })
  }

  @Test func uniqueDomainsAcrossVirtualHosts() throws {
    let translator = try Meshes.translator(
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: a, namespace: default}
      spec:
        hosts: [a.example.com]
        addresses: [10.60.0.1]
        resolution: STATIC
        ports: [{number: 80, name: http}]
        endpoints: [{address: 10.61.0.1}]
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: b, namespace: default}
      spec:
        hosts: [b.example.com]
        addresses: [10.60.0.1]
        resolution: STATIC
        ports: [{number: 80, name: http}]
        endpoints: [{address: 10.61.0.2}]
      """)
    let config = try routeConfig(translator, "80")
    let domains = config.virtualHosts.flatMap(\.domains)
    #expect(domains.count == Set(domains).count)
  }
}
