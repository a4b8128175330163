import FairwayAdmin
import FairwayMesh
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

private func virtualService(_ spec: String) -> String {
  "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: hostile\nspec:\n"
    + spec
}

private func routeMatching(_ match: String) -> String {
  virtualService("  hosts: [a]\n  http:\n  - route:\n    - destination: {host: a}\n" + match)
}

private func regexCase(_ name: String, _ pattern: String, field: String, match: String)
  -> InvalidCase
{
  // Single-quoted YAML: backslashes are literal, a quote is doubled.
  let quoted = "'" + pattern.replacingOccurrences(of: "'", with: "''") + "'"
  return InvalidCase(
    name: "RE2 rejects \(name)",
    body: routeMatching(match.replacingOccurrences(of: "PATTERN", with: quoted)),
    status: .unprocessableContent, field: field)
}

/// Inputs from issue #20 (validation gaps), run through `InvalidDocumentTests`' checks:
/// status, the field named, nothing stored.
let hostileInputCases: [InvalidCase] = [
  regexCase(
    "a backreference in uri", "(a)\\1", field: "spec.http[0].match[0].uri.regex",
    match: "    match:\n    - uri: {regex: PATTERN}\n"),
  regexCase(
    "lookbehind in a header", "(?<=b)c", field: "spec.http[0].match[0].headers.x-user.regex",
    match: "    match:\n    - headers:\n        x-user: {regex: PATTERN}\n"),
  regexCase(
    "lookahead in withoutHeaders", "(?=x)y",
    field: "spec.http[0].match[0].withoutHeaders.x-user.regex",
    match: "    match:\n    - withoutHeaders:\n        x-user: {regex: PATTERN}\n"),
  regexCase(
    "a repetition over 1000 in queryParams", "a{1001}",
    field: "spec.http[0].match[0].queryParams.q.regex",
    match: "    match:\n    - queryParams:\n        q: {regex: PATTERN}\n"),
  regexCase(
    "negative lookahead in authority", "(?!x).*", field: "spec.http[0].match[0].authority.regex",
    match: "    match:\n    - authority: {regex: PATTERN}\n"),
  regexCase(
    "an atomic group in method (Dubbo methods too)", "(?>get)",
    field: "spec.http[0].match[0].method.regex",
    match: "    match:\n    - method: {regex: PATTERN}\n"),
  regexCase(
    "possessive repetition in scheme", "a++", field: "spec.http[0].match[0].scheme.regex",
    match: "    match:\n    - scheme: {regex: PATTERN}\n"),
  regexCase(
    "\\Z in a CORS origin", "https://.*\\.example\\.com\\Z",
    field: "spec.http[0].corsPolicy.allowOrigins[0].regex",
    match: "    corsPolicy:\n      allowOrigins:\n      - regex: PATTERN\n"),
  regexCase(
    "a named backreference in a regex rewrite", "(?P<v>a)(?P=v)",
    field: "spec.http[0].rewrite.uriRegexRewrite.match",
    match: "    rewrite:\n      uriRegexRewrite: {match: PATTERN, rewrite: /x}\n"),
  regexCase(
    "nested counts multiplying past 1000", "(a{100}){100}",
    field: "spec.http[0].match[0].uri.regex",
    match: "    match:\n    - uri: {regex: PATTERN}\n"),
  InvalidCase(
    name: "HTTP route weight beyond int32",
    body: virtualService(
      "  hosts: [a]\n  http:\n  - route:\n    - destination: {host: a}\n      weight: 4294967396\n"),
    status: .unprocessableContent, field: "spec.http[0].route[0].weight"),
  InvalidCase(
    name: "TCP route weight beyond int32",
    body: virtualService(
      "  hosts: [a]\n  tcp:\n  - route:\n    - destination: {host: a}\n      weight: 3000000000\n"),
    status: .unprocessableContent, field: "spec.tcp[0].route[0].weight"),
  InvalidCase(
    name: "WorkloadEntry weight beyond uint32",
    body:
      "apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata:\n  name: hostile\nspec:\n  address: 10.0.0.1\n  weight: 4294967396\n",
    status: .unprocessableContent, field: "spec.weight"),
  InvalidCase(
    name: "locality weight beyond uint32",
    body:
      "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: hostile\nspec:\n  host: a\n  trafficPolicy:\n    loadBalancer:\n      localityLbSetting:\n        distribute:\n        - from: us/east/*\n          to: {us/west/*: 4294967396}\n",
    status: .unprocessableContent,
    field: "spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to.us/west/*"),
  InvalidCase(
    name: "duplicate key in a JSON body",
    body:
      #"{"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry","metadata":{"name":"a","name":"b"},"spec":{"address":"10.0.0.1"}}"#,
    contentType: "application/json", status: .badRequest),
  InvalidCase(
    name: "YAML alias bomb",
    body: (0..<8).reduce(
      "apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: bomb}\nspec:\n  address: 10.0.0.1\n  x0: &a0 [a, a, a, a, a, a, a, a, a, a]\n"
    ) { text, level in
      text + "  x\(level + 1): &a\(level + 1) ["
        + Array(repeating: "*a\(level)", count: 10).joined(separator: ", ") + "]\n"
    },
    status: .badRequest, expectLine: true),
]

@Suite struct HostileInputTests {
  @Test func duplicateJSONKeyNamesItsPath() async throws {
    let harness = AdminHarness()
    try await harness.app.test(.router) { client in
      let body =
        #"[{"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry","metadata":{"name":"a"},"spec":{"address":"10.0.0.1"}},{"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry","metadata":{"name":"b"},"spec":{"address":"10.0.0.2","labels":{"app":"x","app":"y"}}}]"#
      let response = try await client.post("/apply", body, contentType: "application/json")
      #expect(response.status == .badRequest)
      #expect(
        response.json?["error"]?.stringValue?.contains(
          "duplicate key \"app\" at [1].spec.labels.app")
          == true, "\(response.text)")
      #expect(try await client.configz().contains("metadata") == false)
    }
  }

  @Test func aliasLimitNamesTheDocumentAndTheLimit() async throws {
    let harness = AdminHarness()
    try await harness.app.test(.router) { client in
      var bomb = "x0: &a0 [a, a, a, a, a, a, a, a, a, a]\n"
      for level in 1...8 {
        bomb +=
          "x\(level): &a\(level) ["
          + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
      }
      let body = AdminFixtures.reviewsDR + "\n---\n" + bomb
      // Timing is shown by the interop test against the real server; in this process the
      // parse pool is shared with every other admin test running in parallel.
      let response = try await client.post("/apply", body)
      #expect(response.status == .badRequest)
      let detail = response.json?["details"]?.arrayValue?.first
      #expect(detail?["document"]?.stringValue == "document 2", "\(response.text)")
      #expect(
        detail?["message"]?.stringValue?.contains("more than 10000 values (limit maxAliasValues)")
          == true)
      #expect(try await client.configz().contains("metadata") == false)
    }
  }

  @Test func errorBodiesStaySmallWhateverTheInput() async throws {
    let harness = AdminHarness()
    try await harness.app.test(.router) { client in
      // 1,000 bad hosts, one of them a megabyte long.
      let huge = String(repeating: "Q", count: 1 << 20)
      let hosts = (0..<999).map { "\"bad_host_\($0)\"" } + ["\"\(huge)\""]
      let body =
        "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: many}\nspec:\n  hosts: [\(hosts.joined(separator: ", "))]\n  resolution: DNS\n  ports: [{number: 80, name: http, protocol: HTTP}]\n"
      let response = try await client.post("/apply", body)
      #expect(response.status == .unprocessableContent)
      #expect(response.body.readableBytes < 64 * 1024, "\(response.body.readableBytes) bytes")
      let json = try #require(response.json)
      let details = json["details"]?.arrayValue ?? []
      #expect(details.count == AdminError.maxDetails)
      let omitted = try #require(json["omittedDetails"]?.intValue)
      #expect(Int(omitted) + details.count >= 1_000)
      let clipped = AdminError(.badRequest, huge, details: [.init(field: huge, message: huge)])
      #expect(clipped.message.utf8.count < 300)
      #expect(clipped.message.hasSuffix("... (\(1 << 20) bytes)"))
      #expect((clipped.details[0].field ?? "").utf8.count < 300)
    }
  }
}
