import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayTranslate
import SwiftProtobuf
import Testing

@Suite struct ClusterTranslationTests {
  typealias Cluster = Envoy_Config_Cluster_V3_Cluster

  func cluster(_ translator: MeshTranslator, _ name: String, proxy: Proxy = Meshes.envoy) throws
    -> Cluster
  {
    let set = translator.resources(for: proxy, type: .cluster, requestedNames: nil)
    return try Meshes.decode(Cluster.self, set[name])
  }

  @Test func staticServiceBecomesEDSOverADS() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let set = translator.resources(for: Meshes.envoy, type: .cluster, requestedNames: nil)
    #expect(set.names.contains("outbound|9080||reviews.default.svc.cluster.local"))
    for subset in ["v1", "v2", "v3"] {
      #expect(set.names.contains("outbound|9080|\(subset)|reviews.default.svc.cluster.local"))
    }
    #expect(set.names.contains("PassthroughCluster"))
    #expect(set.names.contains("BlackHoleCluster"))
    let reviews = try cluster(translator, "outbound|9080||reviews.default.svc.cluster.local")
    #expect(reviews.type == .eds)
    #expect(reviews.edsClusterConfig.serviceName == reviews.name)
    #expect(reviews.edsClusterConfig.edsConfig.ads == Envoy_Config_Core_V3_AggregatedConfigSource())
    #expect(reviews.edsClusterConfig.edsConfig.resourceApiVersion == .v3)
    #expect(reviews.lbPolicy == .leastRequest)
    if case .localityWeightedLbConfig? = reviews.commonLbConfig.localityConfigSpecifier {
    } else {
      Issue.record("no locality weighted lb")
    }
  }

  @Test func connectionPoolAndOutlierDetection() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let reviews = try cluster(translator, "outbound|9080|v1|reviews.default.svc.cluster.local")
    #expect(reviews.connectTimeout.seconds == 3)
    let thresholds = try #require(reviews.circuitBreakers.thresholds.first)
    #expect(thresholds.maxConnections.value == 100)
    #expect(thresholds.maxPendingRequests.value == 10)
    #expect(thresholds.maxRequests.value == 1000)
    #expect(thresholds.maxRetries.value == 5)
    #expect(reviews.outlierDetection.consecutive5Xx.value == 7)
    #expect(reviews.outlierDetection.enforcingConsecutive5Xx.value == 100)
    #expect(reviews.outlierDetection.interval.seconds == 30)
    #expect(reviews.outlierDetection.baseEjectionTime.seconds == 60)
    #expect(reviews.outlierDetection.maxEjectionPercent.value == 50)
    // Istio turns panic mode off with outlier detection (Envoy's default is 50%).
    #expect(reviews.commonLbConfig.hasHealthyPanicThreshold)
    #expect(reviews.commonLbConfig.healthyPanicThreshold.value == 0)
  }

  @Test func subsetPolicyOverridesTopLevel() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let v2 = try cluster(translator, "outbound|9080|v2|reviews.default.svc.cluster.local")
    #expect(v2.lbPolicy == .roundRobin)
    // Fields the subset does not set still come from the top level.
    #expect(v2.circuitBreakers.thresholds.first?.maxConnections.value == 100)
    let v1 = try cluster(translator, "outbound|9080|v1|reviews.default.svc.cluster.local")
    #expect(v1.lbPolicy == .leastRequest)
  }

  @Test func defaultsWithoutDestinationRule() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let ratings = try cluster(translator, "outbound|9080||ratings.default.svc.cluster.local")
    #expect(ratings.connectTimeout.seconds == 10)
    #expect(ratings.circuitBreakers.thresholds.first?.maxConnections.value == UInt32.max)
    #expect(!ratings.hasOutlierDetection)
    #expect(!ratings.commonLbConfig.hasHealthyPanicThreshold)
  }

  @Test func portLevelSettingsApplyPerPort() throws {
    let translator = try Meshes.translator(
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: api, namespace: default}
      spec:
        hosts: [api.example.com]
        resolution: STATIC
        ports:
        - {number: 80, name: http, protocol: HTTP}
        - {number: 9090, name: http-admin, protocol: HTTP}
        endpoints: [{address: 10.9.0.1}]
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: api, namespace: default}
      spec:
        host: api.example.com
        trafficPolicy:
          loadBalancer: {simple: RANDOM}
          portLevelSettings:
          - port: {number: 9090}
            loadBalancer: {simple: ROUND_ROBIN}
            connectionPool: {tcp: {maxConnections: 7}}
      """)
    let main = try cluster(translator, "outbound|80||api.example.com")
    let admin = try cluster(translator, "outbound|9090||api.example.com")
    #expect(main.lbPolicy == .random)
    #expect(admin.lbPolicy == .roundRobin)
    #expect(admin.circuitBreakers.thresholds.first?.maxConnections.value == 7)
    #expect(main.circuitBreakers.thresholds.first?.maxConnections.value == UInt32.max)
  }

  @Test func dnsAndNoneResolutions() throws {
    let translator = try Meshes.translator(Meshes.external)
    let httpbin = try cluster(translator, "outbound|80||httpbin.org")
    // STRICT_DNS through Envoy's DNS cluster extension (the Cluster's DNS fields are deprecated).
    let dns = try dnsCluster(httpbin)
    #expect(!dns.allAddressesInSingleEndpoint)
    #expect(dns.respectDnsTtl)
    #expect(dns.dnsRefreshRate.seconds == 60)
    #expect(!httpbin.respectDnsTtl)
    #expect(httpbin.loadAssignment.clusterName == httpbin.name)
    let address = httpbin.loadAssignment.endpoints.first?.lbEndpoints.first?.endpoint.address
    #expect(address?.socketAddress.address == "httpbin.org")
    #expect(address?.socketAddress.portValue == 80)
    #expect(dns.dnsLookupFamily == .v4Only)
    let db = try cluster(translator, "outbound|5432||db.example.internal")
    #expect(db.loadAssignment.endpoints.flatMap(\.lbEndpoints).count == 2)
    let legacy = try cluster(translator, "outbound|8080||legacy.example.com")
    #expect(legacy.type == .originalDst)
    #expect(legacy.lbPolicy == .clusterProvided)
    #expect(!legacy.hasLoadAssignment)
  }

  /// The `envoy.clusters.dns` configuration of a DNS cluster.
  func dnsCluster(_ cluster: Envoy_Config_Cluster_V3_Cluster) throws
    -> Envoy_Extensions_Clusters_Dns_V3_DnsCluster
  {
    guard case .clusterType(let type)? = cluster.clusterDiscoveryType else {
      throw Meshes.MissingResource()
    }
    #expect(type.name == "envoy.clusters.dns")
    return try Envoy_Extensions_Clusters_Dns_V3_DnsCluster(unpackingAny: type.typedConfig)
  }

  @Test func dnsRoundRobinIsLogicalDNS() throws {
    let translator = try Meshes.translator(
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: rr, namespace: default}
      spec:
        hosts: [rr.example.com]
        resolution: DNS_ROUND_ROBIN
        ports: [{number: 443, name: https, protocol: HTTPS}]
      """)
    let rr = try cluster(translator, "outbound|443||rr.example.com")
    #expect(try dnsCluster(rr).allAddressesInSingleEndpoint)
    #expect(rr.loadAssignment.endpoints.first?.lbEndpoints.count == 1)
  }

  @Test func consistentHashMapsToRingHashOrMaglev() throws {
    let translator = try Meshes.translator(
      Meshes.localities + """

        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: cache, namespace: shop}
        spec:
          hosts: [cache.shop.svc.cluster.local]
          resolution: STATIC
          ports: [{number: 80, name: http, protocol: HTTP}]
          endpoints: [{address: 10.4.0.1}]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: cache, namespace: shop}
        spec:
          host: cache
          trafficPolicy:
            loadBalancer:
              consistentHash: {useSourceIp: true, maglev: {tableSize: 65537}}
        """)
    let shop = Proxy(id: "sidecar~10.0.0.1~a.shop~shop.svc.cluster.local", namespace: "shop")
    let catalog = try cluster(
      translator, "outbound|50051||catalog.shop.svc.cluster.local", proxy: shop)
    #expect(catalog.lbPolicy == .ringHash)
    let cache = try cluster(translator, "outbound|80||cache.shop.svc.cluster.local", proxy: shop)
    #expect(cache.lbPolicy == .maglev)
    #expect(cache.maglevLbConfig.tableSize.value == 65537)
    var grpc = Meshes.grpc
    grpc.namespace = "shop"
    let grpcCache = try cluster(
      translator, "outbound|80||cache.shop.svc.cluster.local", proxy: grpc)
    #expect(grpcCache.lbPolicy == .ringHash)
  }

  @Test func grpcClustersAreRoundRobinEDSOnly() throws {
    let translator = try Meshes.translator(Meshes.bookinfo + "\n---\n" + Meshes.external)
    let set = translator.resources(for: Meshes.grpc, type: .cluster, requestedNames: nil)
    for name in set.names {
      let cluster = try Meshes.decode(Cluster.self, set[name])
      #expect(cluster.lbPolicy == .roundRobin || cluster.lbPolicy == .ringHash, "\(name)")
      #expect(cluster.type == .eds || cluster.type == .logicalDns, "\(name)")
    }
    #expect(!set.names.contains("PassthroughCluster"))
    #expect(!set.names.contains("outbound|8080||legacy.example.com"))
    #expect(set.names.contains("outbound|80||httpbin.org"))
  }

  @Test func grpcPortsGetHTTP2UpstreamsOnSidecars() throws {
    let translator = try Meshes.translator(
      Meshes.localities + """

        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: web, namespace: shop}
        spec:
          host: web.shop.svc.cluster.local
          trafficPolicy:
            connectionPool: {http: {idleTimeout: 30s, maxRequestsPerConnection: 10, useClientProtocol: true}}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: web, namespace: shop}
        spec:
          hosts: [web.shop.svc.cluster.local]
          resolution: STATIC
          ports: [{number: 80, name: http}]
          endpoints: [{address: 10.12.0.1}]
        """)
    let shop = Proxy(id: "sidecar~10.0.0.1~a.shop~shop.svc.cluster.local", namespace: "shop")
    typealias Options = Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions
    let key = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
    let catalog = try cluster(
      translator, "outbound|50051||catalog.shop.svc.cluster.local", proxy: shop)
    let any = try #require(catalog.typedExtensionProtocolOptions[key])
    #expect(any.typeURL == "type.googleapis.com/" + key)
    let options = try Options(serializedBytes: any.value)
    if case .http2ProtocolOptions? = options.explicitHTTPConfig.protocolConfig {
    } else {
      Issue.record("no explicit HTTP/2 for a GRPC port")
    }
    let web = try cluster(translator, "outbound|80||web.shop.svc.cluster.local", proxy: shop)
    let webOptions = try Options(
      serializedBytes: try #require(web.typedExtensionProtocolOptions[key]).value)
    #expect(webOptions.useDownstreamProtocolConfig.hasHTTP2ProtocolOptions)
    #expect(webOptions.commonHTTPProtocolOptions.idleTimeout.seconds == 30)
    #expect(webOptions.commonHTTPProtocolOptions.maxRequestsPerConnection.value == 10)
    var grpc = Meshes.grpc
    grpc.namespace = "shop"
    let grpcCatalog = try cluster(
      translator, "outbound|50051||catalog.shop.svc.cluster.local", proxy: grpc)
    #expect(grpcCatalog.typedExtensionProtocolOptions.isEmpty)
  }

  @Test func exportToHidesServices() throws {
    let translator = try Meshes.translator(
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: private, namespace: team}
      spec:
        hosts: [private.team.svc.cluster.local]
        exportTo: ["."]
        resolution: STATIC
        ports: [{number: 80, name: http}]
        endpoints: [{address: 10.5.0.1}]
      """)
    let outside = translator.resources(for: Meshes.envoy, type: .cluster, requestedNames: nil)
    #expect(!outside.names.contains("outbound|80||private.team.svc.cluster.local"))
    let inside = Proxy(id: "sidecar~10.0.0.2~p.team~team.svc.cluster.local", namespace: "team")
    let visible = translator.resources(for: inside, type: .cluster, requestedNames: nil)
    #expect(visible.names.contains("outbound|80||private.team.svc.cluster.local"))
  }

  @Test func requestedNamesFilter() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let set = translator.resources(
      for: Meshes.envoy, type: .cluster,
      requestedNames: ["outbound|9080||ratings.default.svc.cluster.local", "nope"])
    #expect(set.names == ["outbound|9080||ratings.default.svc.cluster.local"])
  }

  /// Envoy requires upstream_protocol_options whenever HttpProtocolOptions is set: an
  /// HTTP/1.1 port with only common options (maxRequestsPerConnection, Examples/reviews.yaml)
  /// states HTTP/1.1 explicitly, as Istio does.
  @Test func commonHTTPOptionsComeWithAnUpstreamProtocol() throws {
    let translator = try Meshes.translator(
      Meshes.bookinfo + """

        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: ratings, namespace: default}
        spec:
          host: ratings.default.svc.cluster.local
          trafficPolicy:
            connectionPool: {http: {maxRequestsPerConnection: 1, idleTimeout: 30s}}
        """)
    let ratings = try cluster(translator, "outbound|9080||ratings.default.svc.cluster.local")
    let any = try #require(
      ratings.typedExtensionProtocolOptions[
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"])
    let options = try Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions(unpackingAny: any)
    #expect(options.commonHTTPProtocolOptions.maxRequestsPerConnection.value == 1)
    guard case .httpProtocolOptions? = options.explicitHTTPConfig.protocolConfig else {
      Issue.record("no explicit HTTP/1.1 config: \(options)")
      return
    }
  }
}
