import FairwayAnalyze
import FairwayMesh
import FairwayProto
import FairwayTranslate
import Foundation
import Testing

/// One analyzer, a document set that triggers it and one that does not.
struct AnalyzerCase: Sendable, CustomTestStringConvertible {
  let analyzer: String
  let triggering: String
  let clean: String
  let code: String
  let resource: String
  let field: String
  /// Words the message text must contain.
  let mentions: [String]

  var testDescription: String { "\(analyzer) \(code)" }
}

@Suite struct AnalyzerTests {
  typealias D = MeshDocuments

  static let cases: [AnalyzerCase] = [
    AnalyzerCase(
      analyzer: "virtualservice.DestinationHostAnalyzer",
      triggering: D.join(
        D.reviewsService, D.reviewsWorkloads, D.reviewsRule, D.reviewsRoute(host: "ratings")),
      clean: D.base, code: "IST0101", resource: "VirtualService default/reviews",
      field: "spec.http[0].route[0].destination.host",
      mentions: ["Referenced host not found", "ratings.default.svc.cluster.local"]),
    AnalyzerCase(
      analyzer: "virtualservice.DestinationRuleAnalyzer",
      triggering: D.join(
        D.reviewsService, D.reviewsWorkloads, D.reviewsRule, D.reviewsRoute(subsets: ["v1", "v3"])),
      clean: D.base, code: "IST0101", resource: "VirtualService default/reviews",
      field: "spec.http[0].route[1].destination.subset",
      mentions: [
        "host+subset in destinationrule", "reviews.default.svc.cluster.local+v3", "default/reviews",
      ]),
    AnalyzerCase(
      analyzer: "virtualservice.HostAnalyzer",
      triggering: D.join(
        D.base,
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: details, namespace: default}
        spec:
          hosts: [details]
          http:
          - route:
            - destination: {host: reviews}
        """),
      clean: D.base, code: "FW0104", resource: "VirtualService default/details",
      field: "spec.hosts[0]", mentions: ["details.default.svc.cluster.local"]),
    AnalyzerCase(
      analyzer: "virtualservice.ConflictingMeshGatewayHostsAnalyzer",
      triggering: D.join(
        D.base,
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews-canary, namespace: team}
        spec:
          hosts: [reviews.default.svc.cluster.local]
          http:
          - route:
            - destination: {host: reviews.default.svc.cluster.local, subset: v2}
        """),
      // The same two, each visible only in its own namespace: no proxy sees both.
      clean: D.join(
        D.reviewsService, D.reviewsWorkloads, D.reviewsRule, D.reviewsRoute(exportTo: "."),
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews-canary, namespace: team}
        spec:
          hosts: [reviews.default.svc.cluster.local]
          exportTo: ["."]
          http:
          - route:
            - destination: {host: reviews.default.svc.cluster.local, subset: v2}
        """),
      code: "IST0109", resource: "VirtualService team/reviews-canary", field: "spec.hosts[0]",
      mentions: ["default/reviews,team/reviews-canary", "Fairway routes with default/reviews"]),
    AnalyzerCase(
      analyzer: "destinationrule.ConflictingHostAnalyzer",
      triggering: D.join(
        D.base,
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews-extra, namespace: aaa}
        spec:
          host: reviews.default.svc.cluster.local
          subsets:
          - {name: v1, labels: {version: v1}}
        """),
      clean: D.base, code: "FW0101", resource: "DestinationRule aaa/reviews-extra",
      field: "spec.host",
      mentions: ["Fairway applies only default/reviews", "service's namespace", "is ignored"]),
    AnalyzerCase(
      analyzer: "destinationrule.UnknownHostAnalyzer",
      triggering: D.join(
        D.base,
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: typo, namespace: default}
        spec: {host: reveiws}
        """),
      clean: D.base, code: "IST0174", resource: "DestinationRule default/typo", field: "spec.host",
      mentions: ["reveiws", "does not match any services"]),
    AnalyzerCase(
      analyzer: "destinationrule.PodNotSelectedAnalyzer",
      triggering: D.join(
        D.reviewsService, D.reviewsWorkloads, D.reviewsRoute(),
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: default}
        spec:
          host: reviews
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
          - {name: v4, labels: {version: v4}}
        """),
      // Inline endpoints count as well as selected WorkloadEntries.
      clean: D.join(
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: reviews, namespace: default}
        spec:
          hosts: [reviews.default.svc.cluster.local]
          resolution: STATIC
          ports:
          - {number: 9080, name: http, protocol: HTTP}
          endpoints:
          - {address: 10.1.0.1, labels: {version: v1}}
          - {address: 10.1.0.2, labels: {version: v2}}
        """, D.reviewsRule, D.reviewsRoute()),
      code: "IST0173", resource: "DestinationRule default/reviews", field: "spec.subsets[2]",
      mentions: ["Subset v4", "version=v4", "503 UH"]),
    AnalyzerCase(
      analyzer: "serviceentry.PortNameAnalyzer",
      triggering: D.join(
        D.base,
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: api, namespace: default}
        spec:
          hosts: [api.example.com]
          resolution: DNS
          ports:
          - {number: 8080, name: http-api, protocol: TCP}
        """),
      clean: D.join(
        D.base,
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: api, namespace: default}
        spec:
          hosts: [api.example.com]
          resolution: DNS
          ports:
          - {number: 8080, name: http-api, protocol: HTTP}
          - {number: 20880, name: tcp-dubbo, protocol: TCP}
        """),
      code: "FW0103", resource: "ServiceEntry default/api", field: "spec.ports[0]",
      mentions: ["http-api", "says HTTP", "protocol is TCP"]),
    AnalyzerCase(
      analyzer: "serviceentry.PortNameAnalyzer",
      triggering: D.join(
        D.base,
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: api, namespace: default}
        spec:
          hosts: [api.example.com]
          resolution: DNS
          ports:
          - {number: 8080, name: web}
        """),
      clean: D.join(
        D.base,
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: api, namespace: default}
        spec:
          hosts: [api.example.com]
          resolution: DNS
          ports:
          - {number: 8080, name: grpc-web-api}
        """),
      code: "IST0118", resource: "ServiceEntry default/api", field: "spec.ports[0].name",
      mentions: ["Port name web (port: 8080, targetPort: 8080)", "naming convention"]),
    AnalyzerCase(
      analyzer: "serviceentry.WorkloadSelectorAnalyzer",
      triggering: D.join(
        D.base,
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: ratings, namespace: default}
        spec:
          hosts: [ratings.default.svc.cluster.local]
          resolution: STATIC
          ports:
          - {number: 9080, name: http, protocol: HTTP}
          workloadSelector:
            labels: {app: ratings}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: ratings-elsewhere, namespace: other}
        spec: {address: 10.2.0.1, labels: {app: ratings}}
        """),
      clean: D.base, code: "IST0127", resource: "ServiceEntry default/ratings",
      field: "spec.workloadSelector.labels", mentions: ["app=ratings"]),
    AnalyzerCase(
      analyzer: "virtualservice.DubboRouteAnalyzer",
      triggering: D.join(
        dubboService,
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: demo, namespace: dubbo}
        spec:
          hosts: [mosn.io.dubbo.DemoService]
          http:
          - match:
            - uri: {prefix: /sayHello}
            route:
            - destination: {host: mosn.io.dubbo.DemoService}
        """),
      clean: D.join(
        dubboService,
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: demo, namespace: dubbo}
        spec:
          hosts: [mosn.io.dubbo.DemoService]
          http:
          - match:
            - headers: {x-user-tag: {exact: canary}}
            route:
            - destination: {host: mosn.io.dubbo.DemoService}
        """),
      code: "FW0102", resource: "VirtualService dubbo/demo", field: "spec.http[0].match[0].uri",
      mentions: ["Dubbo service mosn.io.dubbo.DemoService"]),
  ]

  static let dubboService = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: demo, namespace: dubbo}
    spec:
      hosts: [mosn.io.dubbo.DemoService]
      resolution: STATIC
      ports:
      - {number: 20882, name: tcp-dubbo, protocol: DUBBO}
      endpoints:
      - {address: 10.0.0.11}
    """

  static func analyzer(named name: String) -> [any Analyzer] {
    Analyzers.all.filter { $0.name == name }
  }

  @Test func everyAnalyzerIsCovered() {
    #expect(Set(Self.cases.map(\.analyzer)) == Set(Analyzers.all.map(\.name)))
    for type in Analyzers.all.flatMap(\.messageTypes) {
      // Istio's codes keep Istio's names; Fairway's own are FW-prefixed.
      #expect(type.code.hasPrefix("IST") == (type.documentationURL != nil))
      let digits = type.code.drop { $0.isLetter }
      #expect(["IST", "FW"].contains(type.code.prefix { $0.isLetter }) && digits.count == 4)
    }
  }

  @Test(arguments: cases)
  func triggers(_ test: AnalyzerCase) throws {
    let analyzers = Self.analyzer(named: test.analyzer)
    try #require(analyzers.count == 1)
    let messages = try D.analyze(test.triggering, analyzers: analyzers)
    let match = messages.first {
      $0.type.code == test.code && $0.resource == test.resource && $0.field == test.field
    }
    let found = try #require(match, "got \(messages.map(\.line))")
    for word in test.mentions {
      #expect(found.text.contains(word), "\(found.text) should mention \(word)")
    }
    #expect(found.source == "mesh.yaml")
    #expect(
      found.line.hasPrefix(
        "\(found.severity.rawValue) [\(test.code)] (\(test.resource) mesh.yaml) \(test.field): "))
  }

  @Test(arguments: cases)
  func staysQuietOnCleanDocuments(_ test: AnalyzerCase) throws {
    let messages = try D.analyze(test.clean, analyzers: Self.analyzer(named: test.analyzer))
    #expect(messages.isEmpty, "\(messages.map(\.line))")
  }

  @Test func baseMeshIsCleanForEveryAnalyzer() throws {
    let messages = try D.analyze(D.base)
    #expect(messages.isEmpty, "\(messages.map(\.line))")
  }

  /// The subset is defined, but in the DestinationRule that loses for the host: the translator
  /// builds no cluster for it, and the message says which rule applies.
  @Test func subsetOfALosingRuleIsNotFound() throws {
    let yaml = D.join(
      D.reviewsService, D.reviewsWorkloads, D.reviewsRule, D.reviewsRoute(subsets: ["v1", "v3"]),
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews-v3, namespace: aaa}
      spec:
        host: reviews.default.svc.cluster.local
        subsets:
        - {name: v3, labels: {version: v2}}
      """)
    let messages = try D.analyze(
      yaml, analyzers: Self.analyzer(named: "virtualservice.DestinationRuleAnalyzer"))
    let message = try #require(messages.first)
    #expect(
      message.text.contains(
        "DestinationRule aaa/reviews-v3 defines it, but default/reviews is the one that applies"))
    let clusters = try clusterNames(yaml)
    #expect(clusters.contains("outbound|9080|v1|reviews.default.svc.cluster.local"))
    #expect(!clusters.contains("outbound|9080|v3|reviews.default.svc.cluster.local"))
  }

  /// The winner FW0101 names is the rule the real translator applies.
  @Test func conflictingRulesNameTheTranslatorsChoice() throws {
    let yaml = D.join(
      D.base,
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews-extra, namespace: aaa}
      spec:
        host: reviews.default.svc.cluster.local
        subsets:
        - {name: only-in-aaa, labels: {version: v1}}
      """)
    let messages = try D.analyze(
      yaml, analyzers: Self.analyzer(named: "destinationrule.ConflictingHostAnalyzer"))
    #expect(messages.count == 2)
    #expect(messages.allSatisfy { $0.text.contains("Fairway applies only default/reviews") })
    let clusters = try clusterNames(yaml)
    #expect(clusters.contains("outbound|9080|v2|reviews.default.svc.cluster.local"))
    #expect(!clusters.contains { $0.contains("only-in-aaa") })
  }

  /// IST0109 names the VirtualService sidecars really use: the oldest (creation time as the
  /// store stamps it and configz shows it), not the first by name.
  @Test func conflictingVirtualServicesNameTheOldest() throws {
    func route(_ name: String, _ created: String, _ subset: String) -> String {
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: \(name), namespace: default, creationTimestamp: "\(created)"}
      spec:
        hosts: [reviews]
        http:
        - route: [{destination: {host: reviews, subset: \(subset)}}]
      """
    }
    let yaml = D.join(
      D.reviewsService, D.reviewsWorkloads, D.reviewsRule,
      route("aa-new", "2026-06-01T00:00:00Z", "v2"), route("zz-old", "2026-01-01T00:00:00Z", "v1"))
    let messages = try D.analyze(
      yaml, analyzers: Self.analyzer(named: "virtualservice.ConflictingMeshGatewayHostsAnalyzer"))
    #expect(messages.count == 2)
    #expect(messages.allSatisfy { $0.text.contains("Fairway routes with default/zz-old") })
    #expect(messages.allSatisfy { $0.text.contains("default/zz-old,default/aa-new") })
  }

  func clusterNames(_ yaml: String) throws -> Set<String> {
    var input = AnalysisInput()
    try input.add(Data(yaml.utf8), source: nil)
    let translator = MeshTranslator(snapshot: input.snapshot)
    let dump = translator.configDump(for: ProxyConfigTableTests.productpage)
    let view = try ConfigDumpView(JSONValue.parse(json: Data(dump.jsonString().utf8)))
    return Set(view.clusters.compactMap { $0["name"]?.stringValue })
  }
}
