import FairwayAnalyze
import FairwayMesh
import FairwayResources
import FairwayTranslate
import Foundation
import Testing

/// Golden tables: the config dump comes from the real translator for the mesh below, read back
/// from its JSON exactly as the CLI reads `/debug/config_dump`.
@Suite struct ProxyConfigTableTests {
  static let productpage = Proxy(
    id: "sidecar~10.0.0.9~productpage-v1-abc.default~default.svc.cluster.local",
    ipAddresses: ["10.0.0.9"], podName: "productpage-v1-abc", namespace: "default",
    labels: ["app": "productpage", "version": "v1"])

  /// reviews split 80/20 between v1 and v2 with an outlier-detecting DestinationRule; ratings
  /// with one endpoint draining-free inline; an external DNS host.
  static let mesh = MeshDocuments.join(
    MeshDocuments.reviewsService, MeshDocuments.reviewsWorkloads,
    """
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: reviews, namespace: default}
    spec:
      host: reviews
      trafficPolicy:
        outlierDetection: {consecutive5xxErrors: 5, interval: 10s}
      subsets:
      - {name: v1, labels: {version: v1}}
      - {name: v2, labels: {version: v2}}
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: reviews, namespace: default}
    spec:
      hosts: [reviews]
      http:
      - name: jason
        match:
        - headers: {end-user: {exact: jason}}
          uri: {exact: /reviews/jason}
        route:
        - destination: {host: reviews, subset: v2}
      - route:
        - destination: {host: reviews, subset: v1}
          weight: 80
        - destination: {host: reviews, subset: v2}
          weight: 20
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: ratings, namespace: default}
    spec:
      hosts: [ratings.default.svc.cluster.local]
      location: MESH_INTERNAL
      resolution: STATIC
      ports:
      - {number: 9080, name: http, protocol: HTTP}
      endpoints:
      - {address: 10.2.0.1, labels: {app: ratings}}
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: httpbin, namespace: default}
    spec:
      hosts: [httpbin.org]
      location: MESH_EXTERNAL
      resolution: DNS
      ports:
      - {number: 80, name: http, protocol: HTTP}
    """)

  static func model() throws -> (ConfigDumpView, MeshModel) {
    var input = AnalysisInput()
    try input.add(Data(mesh.utf8), source: nil)
    let snapshot = input.snapshot
    let dump = MeshTranslator(snapshot: snapshot).configDump(for: productpage).jsonString()
    let view = try ConfigDumpView(JSONValue.parse(json: Data(dump.utf8)), proxyID: productpage.id)
    return (view, MeshModel(snapshot: snapshot))
  }

  @Test func clusters() throws {
    let (dump, mesh) = try Self.model()
    let table = ClusterTable.build(dump, filter: ClusterFilter(), mesh: mesh)
    #expect(table.text == Self.golden["clusters"])
    let filtered = ClusterTable.build(
      dump, filter: ClusterFilter(fqdn: "reviews.default.svc.cluster.local", subset: "v2"),
      mesh: mesh)
    #expect(filtered.rows.map { $0[2] } == ["v2"])
    #expect(filtered.resources.count == 1)
  }

  /// A workload of reviews: its inbound chain on 9080 as well as the outbound listeners.
  static let reviewsV1 = Proxy(
    id: "sidecar~10.1.0.1~reviews-v1-1.default~default.svc.cluster.local",
    ipAddresses: ["10.1.0.1"], podName: "reviews-v1-1", namespace: "default",
    labels: ["app": "reviews", "version": "v1"])

  @Test func listeners() throws {
    var input = AnalysisInput()
    try input.add(Data(Self.mesh.utf8), source: nil)
    let json = MeshTranslator(snapshot: input.snapshot).configDump(for: Self.reviewsV1).jsonString()
    let dump = try ConfigDumpView(JSONValue.parse(json: Data(json.utf8)))
    #expect(ListenerTable.build(dump).text == Self.golden["listeners"])
    #expect(ListenerTable.build(dump, port: 9080).rows.allSatisfy { $0[1] == "9080" })
  }

  @Test func routes() throws {
    let (dump, mesh) = try Self.model()
    #expect(RouteTable.build(dump, mesh: mesh).text == Self.golden["routes"])
  }

  @Test func endpoints() throws {
    let (dump, _) = try Self.model()
    #expect(EndpointTable.build(dump, filter: ClusterFilter()).text == Self.golden["endpoints"])
    let v1 = EndpointTable.build(dump, filter: ClusterFilter(subset: "v1", direction: "outbound"))
    #expect(v1.rows.map { $0[0] } == ["10.1.0.1:9080"])
  }

  /// A hypothetical proxy's namespace comes from the answer, a connected one's from its id.
  @Test func proxyNamespace() throws {
    #expect(
      ConfigDumpView.namespace(ofNodeID: "sidecar~1.2.3.4~a.b.team~team.svc.cluster.local")
        == "team")
    let hypothetical: JSONValue = .object([
      "configs": .array([]), "proxy": .object(["namespace": .string("ns1")]),
    ])
    #expect(try ConfigDumpView(hypothetical).proxyNamespace == "ns1")
    #expect(throws: ConfigDumpView.Malformed.self) { try ConfigDumpView(.object([:])) }
  }

  static let golden: [String: String] = [
    "clusters": """
    SERVICE FQDN                        PORT   SUBSET   DIRECTION   TYPE                 DESTINATION RULE
    BlackHoleCluster                    -      -        -           STATIC
    PassthroughCluster                  -      -        -           ORIGINAL_DST
    httpbin.org                         80     -        outbound    envoy.clusters.dns
    ratings.default.svc.cluster.local   9080   -        outbound    EDS
    reviews.default.svc.cluster.local   9080   -        outbound    EDS                  reviews.default
    reviews.default.svc.cluster.local   9080   v1       outbound    EDS                  reviews.default
    reviews.default.svc.cluster.local   9080   v2       outbound    EDS                  reviews.default
    """,
    "listeners": """
    ADDRESSES   PORT    MATCH          DESTINATION
    0.0.0.0     80      ALL            Route: 80
    0.0.0.0     9080    ALL            Route: 9080
    0.0.0.0     15001   ALL            PassthroughCluster
    0.0.0.0     15006   Addr: *:9080   Inline Route: /*
    0.0.0.0     15006   ALL            PassthroughCluster
    """,
    "routes": """
    NAME   VHOST NAME                               DOMAINS                                MATCH            VIRTUAL SERVICE   DESTINATION
    80     httpbin.org:80                           httpbin.org                            /*                                 outbound|80||httpbin.org
    9080   ratings.default.svc.cluster.local:9080   ratings, ratings.default + 2 more...   /*                                 outbound|9080||ratings.default.svc.cluster.local
    9080   reviews.default.svc.cluster.local:9080   reviews, reviews.default + 2 more...   /reviews/jason   reviews.default   outbound|9080|v2|reviews.default.svc.cluster.local
    9080   reviews.default.svc.cluster.local:9080   reviews, reviews.default + 2 more...   /*               reviews.default   outbound|9080|v1|reviews.default.svc.cluster.local 80%, outbound|9080|v2|reviews.default.svc.cluster.local 20%
    """,
    "endpoints": """
    ENDPOINT         STATUS    OUTLIER CHECK   CLUSTER
    httpbin.org:80   HEALTHY   -               outbound|80||httpbin.org
    10.2.0.1:9080    HEALTHY   -               outbound|9080||ratings.default.svc.cluster.local
    10.1.0.1:9080    HEALTHY   ENABLED         outbound|9080||reviews.default.svc.cluster.local
    10.1.0.2:9080    HEALTHY   ENABLED         outbound|9080||reviews.default.svc.cluster.local
    10.1.0.1:9080    HEALTHY   ENABLED         outbound|9080|v1|reviews.default.svc.cluster.local
    10.1.0.2:9080    HEALTHY   ENABLED         outbound|9080|v2|reviews.default.svc.cluster.local
    """,
  ]
}
