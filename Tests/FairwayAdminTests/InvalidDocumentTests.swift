import FairwayAdmin
import FairwayMesh
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// One bad request body and how the API must answer it.
struct InvalidCase: CustomTestStringConvertible, Sendable {
  var name: String
  var body: String
  var contentType: String = "application/yaml"
  var status: HTTPResponse.Status
  /// Field path a `details` entry must name (422/409), or nil.
  var field: String?
  /// For 400s: the error must carry a line number.
  var expectLine = false

  var testDescription: String { name }
}

private func vs(_ spec: String, name: String = "bad") -> String {
  "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: \(name)\nspec:\n"
    + spec
}

private func dr(_ spec: String) -> String {
  "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: bad\nspec:\n"
    + spec
}

private func se(_ spec: String) -> String {
  "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: bad\nspec:\n" + spec
}

private func we(_ spec: String) -> String {
  "apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata:\n  name: bad\nspec:\n" + spec
}

private let route = "  hosts: [a]\n  http:\n  - route:\n    - destination: {host: a}\n"

let invalidCases: [InvalidCase] = [
  // 400: not readable as YAML/JSON documents.
  InvalidCase(
    name: "yaml syntax error",
    body:
      "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: x\n spec: [\n",
    status: .badRequest, expectLine: true),
  InvalidCase(
    name: "unterminated flow mapping", body: vs("  hosts: [a\n"), status: .badRequest,
    expectLine: true),
  InvalidCase(
    name: "tab indentation", body: "kind: VirtualService\nmetadata:\n\tname: x\n",
    status: .badRequest, expectLine: true),
  InvalidCase(
    name: "duplicate key", body: vs("  hosts: [a]\n  hosts: [b]\n"), status: .badRequest,
    expectLine: true),
  InvalidCase(
    name: "broken JSON", body: #"{"apiVersion": "networking.istio.io/v1", "kind": "#,
    contentType: "application/json", status: .badRequest),
  InvalidCase(
    name: "hostile nesting", body: "a: " + String(repeating: "[", count: 10_000),
    status: .badRequest),
  InvalidCase(name: "empty body", body: "# nothing here\n", status: .badRequest),
  // 422: readable but not valid Istio config.
  InvalidCase(
    name: "missing apiVersion",
    body: "kind: VirtualService\nmetadata: {name: a}\nspec: {hosts: [a]}\n",
    status: .unprocessableContent, field: "apiVersion"),
  InvalidCase(
    name: "unknown apiVersion",
    body: vs(route).replacingOccurrences(
      of: "networking.istio.io/v1", with: "networking.istio.io/v2"), status: .unprocessableContent,
    field: "apiVersion"),
  InvalidCase(
    name: "unsupported kind",
    body: vs(route).replacingOccurrences(of: "VirtualService", with: "EnvoyFilter"),
    status: .unprocessableContent, field: "kind"),
  InvalidCase(
    name: "missing name",
    body: "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {}\nspec:\n" + route,
    status: .unprocessableContent, field: "metadata.name"),
  InvalidCase(
    name: "name not DNS-1123", body: vs(route, name: "Reviews_V1"), status: .unprocessableContent,
    field: "metadata.name"),
  InvalidCase(
    name: "namespace not a DNS label",
    body: vs(route).replacingOccurrences(
      of: "  name: bad", with: "  name: bad\n  namespace: Prod.East"),
    status: .unprocessableContent, field: "metadata.namespace"),
  InvalidCase(
    name: "label value not a string",
    body: vs(route).replacingOccurrences(
      of: "  name: bad", with: "  name: bad\n  labels: {version: 1}"),
    status: .unprocessableContent, field: "metadata.labels.version"),
  InvalidCase(
    name: "spec is a list",
    body:
      "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: a}\nspec: [a]\n",
    status: .unprocessableContent, field: "spec"),
  InvalidCase(
    // Without http routes it cannot be a delegate either.
    name: "virtual service without hosts",
    body: vs("  tcp:\n  - route:\n    - destination: {host: a}\n"), status: .unprocessableContent,
    field: "spec.hosts"),
  InvalidCase(
    name: "delegate virtual service bound to a gateway",
    body: vs("  gateways: [gw]\n  http:\n  - route:\n    - destination: {host: a}\n"),
    status: .unprocessableContent, field: "spec.gateways"),
  InvalidCase(
    name: "bare wildcard host on mesh",
    body: vs(route.replacingOccurrences(of: "hosts: [a]", with: "hosts: [\"*\"]")),
    status: .unprocessableContent, field: "spec.hosts[0]"),
  InvalidCase(
    name: "weights sum to 90",
    body: vs(
      "  hosts: [a]\n  http:\n  - route:\n    - destination: {host: a, subset: v1}\n      weight: 60\n    - destination: {host: a, subset: v2}\n      weight: 30\n"
    ), status: .unprocessableContent, field: "spec.http[0].route"),
  InvalidCase(
    name: "negative weight",
    body: vs(
      "  hosts: [a]\n  http:\n  - route:\n    - destination: {host: a}\n      weight: -10\n    - destination: {host: b}\n      weight: 110\n"
    ), status: .unprocessableContent, field: "spec.http[0].route[0].weight"),
  InvalidCase(
    name: "weights that overflow",
    body: vs(
      "  hosts: [a]\n  http:\n  - route:\n    - destination: {host: a}\n      weight: 9223372036854775807\n"
        + "    - destination: {host: b}\n      weight: 9223372036854775807\n"),
    status: .unprocessableContent, field: "spec.http[0].route"),
  InvalidCase(
    name: "locality weights that overflow",
    body: dr(
      "  host: a\n  trafficPolicy:\n    loadBalancer:\n      localityLbSetting:\n        distribute:\n"
        + "        - from: r1/*\n          to: {r2/*: 9223372036854775807, r3/*: 9223372036854775807}\n"
    ),
    status: .unprocessableContent,
    field: "spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to"),
  InvalidCase(
    name: "destination without host",
    body: vs("  hosts: [a]\n  http:\n  - route:\n    - destination: {subset: v1}\n"),
    status: .unprocessableContent, field: "spec.http[0].route[0].destination.host"),
  InvalidCase(
    name: "weight is not a number",
    body: vs(
      "  hosts: [a]\n  http:\n  - route:\n    - destination: {host: a}\n      weight: fifty\n"),
    status: .unprocessableContent, field: "spec.http[0].route[0].weight"),
  InvalidCase(
    name: "destination port out of range",
    body: vs(
      "  hosts: [a]\n  http:\n  - route:\n    - destination: {host: a, port: {number: 70000}}\n"),
    status: .unprocessableContent, field: "spec.http[0].route[0].destination.port.number"),
  InvalidCase(
    name: "invalid uri regex", body: vs(route + "    match:\n    - uri: {regex: \"([a-z\"}\n"),
    status: .unprocessableContent, field: "spec.http[0].match[0].uri.regex"),
  InvalidCase(
    name: "invalid header regex",
    body: vs(route + "    match:\n    - headers:\n        x-user: {regex: \"*bad\"}\n"),
    status: .unprocessableContent, field: "spec.http[0].match[0].headers.x-user.regex"),
  InvalidCase(
    name: "negative timeout", body: vs(route + "    timeout: -1s\n"), status: .unprocessableContent,
    field: "spec.http[0].timeout"),
  InvalidCase(
    name: "unparsable duration", body: vs(route + "    timeout: soon\n"),
    status: .unprocessableContent, field: "spec.http[0].timeout"),
  InvalidCase(
    name: "zero perTryTimeout", body: vs(route + "    retries: {attempts: 3, perTryTimeout: 0s}\n"),
    status: .unprocessableContent, field: "spec.http[0].retries.perTryTimeout"),
  InvalidCase(
    name: "negative retry attempts", body: vs(route + "    retries: {attempts: -2}\n"),
    status: .unprocessableContent, field: "spec.http[0].retries.attempts"),
  InvalidCase(
    name: "unknown retryOn policy",
    body: vs(route + "    retries: {attempts: 3, retryOn: \"5xx,sometimes\"}\n"),
    status: .unprocessableContent, field: "spec.http[0].retries.retryOn"),
  InvalidCase(
    name: "fault percentage above 100",
    body: vs(route + "    fault:\n      delay: {fixedDelay: 1s, percentage: {value: 150}}\n"),
    status: .unprocessableContent, field: "spec.http[0].fault.delay.percentage.value"),
  InvalidCase(
    name: "fault abort status out of range",
    body: vs(route + "    fault:\n      abort: {httpStatus: 700}\n"), status: .unprocessableContent,
    field: "spec.http[0].fault.abort.httpStatus"),
  InvalidCase(
    name: "redirect code not 3xx",
    body: vs("  hosts: [a]\n  http:\n  - redirect: {uri: /x, redirectCode: 200}\n"),
    status: .unprocessableContent, field: "spec.http[0].redirect.redirectCode"),
  InvalidCase(
    name: "route and redirect together", body: vs(route + "    redirect: {uri: /x}\n"),
    status: .unprocessableContent, field: "spec.http[0]"),
  InvalidCase(
    name: "no http, tcp or tls", body: vs("  hosts: [a]\n"), status: .unprocessableContent,
    field: "spec"),
  InvalidCase(
    name: "destination rule without host",
    body: dr("  subsets: [{name: v1, labels: {version: v1}}]\n"), status: .unprocessableContent,
    field: "spec.host"),
  InvalidCase(
    name: "duplicate subset name",
    body: dr(
      "  host: a\n  subsets:\n  - {name: v1, labels: {version: v1}}\n  - {name: v1, labels: {version: v2}}\n"
    ), status: .unprocessableContent, field: "spec.subsets[1].name"),
  InvalidCase(
    name: "subset name not a DNS label",
    body: dr("  host: a\n  subsets:\n  - {name: V1_x, labels: {version: v1}}\n"),
    status: .unprocessableContent, field: "spec.subsets[0].name"),
  InvalidCase(
    name: "unknown load balancer",
    body: dr("  host: a\n  trafficPolicy:\n    loadBalancer: {simple: FASTEST}\n"),
    status: .unprocessableContent, field: "spec.trafficPolicy.loadBalancer.simple"),
  InvalidCase(
    name: "negative outlier interval",
    body: dr("  host: a\n  trafficPolicy:\n    outlierDetection: {interval: -5s}\n"),
    status: .unprocessableContent, field: "spec.trafficPolicy.outlierDetection.interval"),
  InvalidCase(
    name: "max ejection percent above 100",
    body: dr("  host: a\n  trafficPolicy:\n    outlierDetection: {maxEjectionPercent: 150}\n"),
    status: .unprocessableContent, field: "spec.trafficPolicy.outlierDetection.maxEjectionPercent"),
  InvalidCase(
    name: "mutual TLS without certificate",
    body: dr("  host: a\n  trafficPolicy:\n    tls: {mode: MUTUAL}\n"),
    status: .unprocessableContent, field: "spec.trafficPolicy.tls.clientCertificate"),
  InvalidCase(
    name: "negative max connections",
    body: dr("  host: a\n  trafficPolicy:\n    connectionPool: {tcp: {maxConnections: -1}}\n"),
    status: .unprocessableContent, field: "spec.trafficPolicy.connectionPool.tcp.maxConnections"),
  InvalidCase(
    name: "service entry without hosts",
    body: se("  ports: [{number: 80, name: http}]\n  resolution: DNS\n"),
    status: .unprocessableContent, field: "spec.hosts"),
  InvalidCase(
    name: "service port zero",
    body: se("  hosts: [a.example.com]\n  ports: [{number: 0, name: http}]\n  resolution: DNS\n"),
    status: .unprocessableContent, field: "spec.ports[0].number"),
  InvalidCase(
    name: "service port 65536",
    body: se(
      "  hosts: [a.example.com]\n  ports: [{number: 65536, name: http}]\n  resolution: DNS\n"),
    status: .unprocessableContent, field: "spec.ports[0].number"),
  InvalidCase(
    name: "duplicate service port",
    body: se(
      "  hosts: [a.example.com]\n  ports: [{number: 80, name: http}, {number: 80, name: web}]\n  resolution: DNS\n"
    ), status: .unprocessableContent, field: "spec.ports[1].number"),
  InvalidCase(
    name: "STATIC without endpoints or selector",
    body: se(
      "  hosts: [a.example.com]\n  ports: [{number: 80, name: http}]\n  resolution: STATIC\n"),
    status: .unprocessableContent, field: "spec.endpoints"),
  InvalidCase(
    name: "DNS resolution with an IP host",
    body: se("  hosts: [10.1.2.3]\n  ports: [{number: 80, name: http}]\n  resolution: DNS\n"),
    status: .unprocessableContent, field: "spec.hosts[0]"),
  InvalidCase(
    name: "NONE resolution with endpoints",
    body: se(
      "  hosts: [a.example.com]\n  ports: [{number: 80, name: http}]\n  resolution: NONE\n  endpoints: [{address: 10.0.0.1}]\n"
    ), status: .unprocessableContent, field: "spec.endpoints"),
  InvalidCase(
    name: "unknown resolution",
    body: se(
      "  hosts: [a.example.com]\n  ports: [{number: 80, name: http}]\n  resolution: MAGIC\n"),
    status: .unprocessableContent, field: "spec.resolution"),
  InvalidCase(
    name: "DNS_ROUND_ROBIN with two endpoints",
    body: se(
      "  hosts: [a.example.com]\n  ports: [{number: 80, name: http}]\n  resolution: DNS_ROUND_ROBIN\n  endpoints: [{address: a1.example.com}, {address: a2.example.com}]\n"
    ), status: .unprocessableContent, field: "spec.endpoints"),
  InvalidCase(
    name: "endpoint port not declared",
    body: se(
      "  hosts: [a.example.com]\n  ports: [{number: 80, name: http}]\n  resolution: STATIC\n  endpoints: [{address: 10.0.0.1, ports: {grpc: 9090}}]\n"
    ), status: .unprocessableContent, field: "spec.endpoints[0].ports.grpc"),
  InvalidCase(
    name: "STATIC endpoint that is not an IP",
    body: se(
      "  hosts: [a.example.com]\n  ports: [{number: 80, name: http}]\n  resolution: STATIC\n  endpoints: [{address: db.example.com}]\n"
    ), status: .unprocessableContent, field: "spec.endpoints[0].address"),
  InvalidCase(
    name: "bad CIDR address",
    body: se(
      "  hosts: [a.example.com]\n  addresses: [10.0.0.0/33]\n  ports: [{number: 80, name: http}]\n  resolution: DNS\n"
    ), status: .unprocessableContent, field: "spec.addresses[0]"),
  InvalidCase(
    name: "workload entry without address", body: we("  labels: {app: a}\n"),
    status: .unprocessableContent, field: "spec.address"),
  InvalidCase(
    name: "workload entry negative weight", body: we("  address: 10.0.0.1\n  weight: -1\n"),
    status: .unprocessableContent, field: "spec.weight"),
  InvalidCase(
    name: "workload entry bad label key",
    body: we("  address: 10.0.0.1\n  labels: {\"-bad-\": x}\n"), status: .unprocessableContent,
    field: "spec.labels"),
  InvalidCase(
    name: "workload entry port out of range",
    body: we("  address: 10.0.0.1\n  ports: {http: 123456}\n"), status: .unprocessableContent,
    field: "spec.ports.http"),
  InvalidCase(
    name: "one bad document spoils the batch",
    body: AdminFixtures.workload("fine") + "\n---\n"
      + vs("  tcp:\n  - route:\n    - destination: {host: a}\n"), status: .unprocessableContent,
    field: "spec.hosts"),
  InvalidCase(
    name: "JSON list with an invalid item",
    body:
      #"{"kind":"List","apiVersion":"v1","items":[{"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry","metadata":{"name":"ok"},"spec":{"address":"1.1.1.1"}},{"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry","metadata":{"name":"nope"},"spec":{"address":"1.1.1.1","weight":-4}}]}"#,
    contentType: "application/json", status: .unprocessableContent, field: "spec.weight"),
  InvalidCase(
    name: "stale resourceVersion on apply",
    body: AdminFixtures.reviewsDR.replacingOccurrences(
      of: "  name: reviews", with: "  name: reviews\n  resourceVersion: \"1\""
    ).replacingOccurrences(of: "version: v3}", with: "version: v4}"), status: .conflict,
    field: "metadata.resourceVersion"),
]

@Suite struct InvalidDocumentTests {
  @Test func thereAreAtLeastThirtyCases() {
    #expect(invalidCases.count >= 30)
  }

  @Test(arguments: invalidCases + hostileInputCases)
  func rejectedWithStatusAndFieldAndNothingStored(testCase: InvalidCase) async throws {
    let harness = AdminHarness()
    try await harness.app.test(.router) { client in
      let seed = try await client.post(
        "/apply", AdminFixtures.reviewsVS + "\n---\n" + AdminFixtures.reviewsDR)
      #expect(seed.status == .ok)
      let before = try await client.configz()
      let revision = harness.store.revision

      let response = try await client.post(
        "/apply", testCase.body, contentType: testCase.contentType)
      #expect(response.status == testCase.status, "\(testCase.name): \(response.text)")
      #expect(response.headers[.contentType] == "application/json")
      let error = try #require(
        response.json, "\(testCase.name): body is not JSON: \(response.text)")
      #expect(error["error"]?.stringValue?.isEmpty == false)
      let details = error["details"]?.arrayValue ?? []
      if let field = testCase.field {
        #expect(
          details.contains { $0["field"]?.stringValue == field },
          "\(testCase.name): no detail names \(field): \(response.text)")
        #expect(details.allSatisfy { $0["document"]?.stringValue?.isEmpty == false })
      }
      if testCase.expectLine {
        #expect(
          details.first?["line"]?.intValue != nil, "\(testCase.name): no line in \(response.text)")
        #expect(details.first?["column"]?.intValue != nil)
      }
      #expect(try await client.configz() == before, "\(testCase.name) changed the store")
      #expect(harness.store.revision == revision)
    }
  }

  @Test func invalidUTF8Is400() async throws {
    let harness = AdminHarness()
    try await harness.app.test(.router) { client in
      var buffer = ByteBuffer(string: "kind: ")
      buffer.writeBytes([0xFF, 0xFE, 0xC0])
      let response = try await client.execute(
        uri: "/apply", method: .post, headers: [.contentType: "application/yaml"], body: buffer)
      #expect(response.status == .badRequest)
      #expect(response.json?["error"]?.stringValue?.contains("UTF-8") == true)
    }
  }

  @Test func everyProblemIsListed() async throws {
    let harness = AdminHarness()
    try await harness.app.test(.router) { client in
      let body =
        vs(
          "  hosts: [a]\n  http:\n  - route:\n    - destination: {subset: v1}\n      weight: 50\n    timeout: -3s\n"
        )
        + "\n---\n" + dr("  host: a\n  subsets:\n  - {name: v1}\n  - {name: v1}\n")
      let response = try await client.post("/apply", body)
      #expect(response.status == .unprocessableContent)
      let fields = Set(
        response.json?["details"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [])
      #expect(
        fields.isSuperset(of: [
          "spec.http[0].route[0].destination.host", "spec.http[0].timeout", "spec.subsets[1].name",
        ]))
    }
  }
}
