import FairwayAdmin
import FairwayMesh
import FairwayStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `POST /apply?analyze=true`: the analyzers' messages about the applied objects, never a
/// rejection.
@Suite struct ApplyAnalysisTests {
  static let reviews = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: reviews, namespace: default}
    spec:
      hosts: [reviews.default.svc.cluster.local]
      location: MESH_INTERNAL
      resolution: STATIC
      ports: [{number: 9080, name: http, protocol: HTTP}]
      endpoints: [{address: 10.1.0.1, labels: {version: v1}}]
    ---
    \(rule(subset: "v1"))
    """

  /// The reviews host's DestinationRule, defining one subset.
  static func rule(subset: String) -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: reviews-rule, namespace: default}
    spec:
      host: reviews.default.svc.cluster.local
      subsets: [{name: \(subset), labels: {version: \(subset)}}]
    """
  }

  static func route(subset: String, name: String = "reviews") -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: \(name), namespace: default}
    spec:
      hosts: [reviews]
      http:
      - route:
        - destination: {host: reviews, subset: \(subset)}
    """
  }

  /// A host nothing declares: IST0101 on this VirtualService, present before the test's apply.
  static let unrelatedBroken = """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: nowhere, namespace: other}
    spec:
      hosts: [nowhere.example.com]
      http:
      - route:
        - destination: {host: nowhere.example.com}
    """

  /// Runs `body` against a fresh admin app whose store holds `documents` (applied plainly).
  static func withStore(
    holding documents: String...,
    then body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
  ) async throws {
    try await AdminHarness().app.test(.router) { client in
      #expect(try await client.post("/apply", documents.joined(separator: "\n---\n")).status == .ok)
      try await body(client)
    }
  }

  @Test func undefinedSubsetIsReportedAndStillStored() async throws {
    try await Self.withStore(holding: Self.reviews, Self.unrelatedBroken) { client in
      let applied = try await client.post("/apply?analyze=true", Self.route(subset: "v3"))
      #expect(applied.status == .ok)
      #expect(applied.json?["results"]?.arrayValue?.first?["action"] == .string("created"))
      let analysis = try #require(applied.json?["analysis"]?.arrayValue)
      // Only the applied object's message: the unrelated broken VirtualService is left out.
      #expect(analysis.count == 1)
      let message = try #require(analysis.first)
      #expect(message["code"] == .string("IST0101"))
      #expect(message["level"] == .string("Error"))
      #expect(message["name"] == .string("ReferencedResourceNotFound"))
      #expect(message["origin"] == .string("VirtualService default/reviews"))
      #expect(message["kind"] == .string("VirtualService"))
      #expect(message["namespace"] == .string("default"))
      #expect(message["resourceName"] == .string("reviews"))
      #expect(message["field"] == .string("spec.http[0].route[0].destination.subset"))
      #expect(
        message["message"]?.stringValue?.contains(
          "\"reviews.default.svc.cluster.local+v3\"") == true)
      let stored = try await client.get(
        "/apis/networking.istio.io/v1/namespaces/default/virtualservices/reviews")
      #expect(stored.status == .ok)
      #expect(stored.text.contains("v3"))
    }
  }

  @Test func cleanApplyGetsAnEmptyAnalysisAndNoFlagGetsNone() async throws {
    try await Self.withStore(holding: Self.reviews, Self.unrelatedBroken) { client in
      let clean = try await client.post("/apply?analyze=true", Self.route(subset: "v1"))
      #expect(clean.status == .ok)
      #expect(clean.json?["analysis"] == .array([]))
      // Not asked for: not run, and the key is absent (not an empty "all clear").
      let plain = try await client.post("/apply", Self.route(subset: "v3", name: "reviews-2"))
      #expect(plain.status == .ok)
      #expect(plain.json?["analysis"] == nil)
    }
  }

  /// A DestinationRule that drops a subset: the message is on the VirtualService, whose text
  /// names the rule, so it concerns the rule's apply.
  @Test func messageNamingTheAppliedObjectIsReported() async throws {
    try await Self.withStore(holding: Self.reviews, Self.route(subset: "v1")) { client in
      let applied = try await client.post("/apply?analyze=true", Self.rule(subset: "v2"))
      #expect(applied.status == .ok)
      let origins = applied.json?["analysis"]?.arrayValue?.map { $0["origin"]?.stringValue }
      #expect(origins?.contains("VirtualService default/reviews") == true)
      #expect(origins?.contains("DestinationRule default/reviews-rule") == true)
    }
  }

  @Test func badAnalyzeValueIs400AndChangesNothing() async throws {
    let harness = AdminHarness()
    try await harness.app.test(.router) { client in
      let response = try await client.post("/apply?analyze=yes", Self.reviews)
      #expect(response.status == .badRequest)
      #expect(response.json?["details"]?.arrayValue?.first?["field"] == .string("analyze"))
      #expect(await harness.store.revision == 0)
    }
  }
}
