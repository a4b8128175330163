import FairwayAnalyze
import FairwayMesh
import Foundation
import Testing

@Suite struct AnalysisInputTests {
  typealias D = MeshDocuments

  /// A document `apply` would refuse becomes IST0106 messages naming the field; the other
  /// documents of the file are still analyzed.
  @Test func schemaErrorsAreMessagesAndTheRestIsAnalyzed() throws {
    let yaml = D.join(
      D.base,
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: broken, namespace: default}
      spec:
        hosts: [reviews]
        http:
        - route:
          - destination: {host: reviews, subset: v1}
            weight: 30
          - destination: {host: reviews, subset: v2}
            weight: 30
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: typo, namespace: default}
      spec: {host: reveiws}
      """)
    let messages = try D.analyze(yaml)
    let schema = try #require(
      messages.first { $0.type.code == "IST0106" }, "\(messages.map(\.line))")
    #expect(schema.resource == "VirtualService default/broken")
    #expect(schema.field.hasPrefix("spec.http[0].route"))
    #expect(schema.severity == .error)
    #expect(
      messages.contains {
        $0.type.code == "IST0174" && $0.resource == "DestinationRule default/typo"
      })
    // The broken VirtualService is not stored, so it conflicts with nothing.
    #expect(!messages.contains { $0.type.code == "IST0109" })
  }

  @Test func documentWithoutIdentityIsNamedByPosition() throws {
    let messages = try D.analyze(
      D.join(D.base, "apiVersion: networking.istio.io/v1\nkind: EnvoyFilter\nmetadata: {name: gw}"))
    let message = try #require(messages.first { $0.type.code == "IST0106" })
    #expect(message.resource == "EnvoyFilter default/gw" || message.resource == "document 6")
    #expect(message.field == "kind")
  }

  @Test func unknownFieldsAreSchemaWarnings() throws {
    let yaml = D.base.replacingOccurrences(
      of: "  location: MESH_INTERNAL", with: "  location: MESH_INTERNAL\n  colour: blue")
    let messages = try D.analyze(yaml)
    let warning = try #require(messages.first)
    #expect(warning.type.code == "IST0133")
    #expect(warning.field == "spec.colour")
    #expect(warning.severity == .warning)
  }

  @Test func syntaxErrorsThrow() {
    var input = AnalysisInput()
    #expect(throws: ConfigParseError.self) { try input.add(Data("a: [b\n".utf8), source: "x.yaml") }
  }

  /// Files on top of the live store: the same key replaces the live object (and its messages).
  @Test func laterSourceReplacesTheSameKey() throws {
    var input = AnalysisInput()
    let live = D.join(
      D.reviewsService, D.reviewsWorkloads, D.reviewsRule, D.reviewsRoute(subsets: ["v1", "v3"]))
    try input.add(Data(live.utf8), source: nil)
    #expect(input.analyze().map(\.type.code) == ["IST0101"])
    try input.add(Data(D.reviewsRoute().utf8), source: "fix.yaml")
    #expect(input.analyze().isEmpty)
    try input.add(Data(D.reviewsRoute(subsets: ["v9"]).utf8), source: "worse.yaml")
    let messages = input.analyze()
    #expect(messages.map(\.source) == ["worse.yaml"])
  }

  @Test func severityOrderAndParsing() {
    #expect(Severity.info < .warning && Severity.warning < .error)
    #expect(Severity(userInput: "warn") == .warning)
    #expect(Severity(userInput: "ERROR") == .error)
    #expect(Severity(userInput: "fatal") == nil)
  }
}
