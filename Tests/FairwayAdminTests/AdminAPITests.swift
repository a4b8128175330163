import FairwayAdmin
import FairwayMesh
import FairwayStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AdminAPITests {
  @Test func applyReportsActionsAndResourceVersions() async throws {
    let harness = AdminHarness()
    try await harness.app.test(.router) { client in
      let body = AdminFixtures.reviewsVS + "\n---\n" + AdminFixtures.reviewsDR
      let first = try await client.post("/apply", body)
      #expect(first.status == .ok)
      let results = try #require(first.json?["results"]?.arrayValue)
      #expect(results.map { $0["action"]?.stringValue } == ["created", "created"])
      #expect(results.map { $0["resourceVersion"]?.stringValue } == ["1", "2"])
      #expect(first.json?["revision"] == .int(2))

      let again = try await client.post("/apply", body)
      #expect(
        again.json?["results"]?.arrayValue?.map { $0["action"]?.stringValue } == [
          "unchanged", "unchanged",
        ])
      #expect(again.json?["revision"] == .int(2))

      let changed = try await client.post(
        "/apply",
        AdminFixtures.reviewsVS.replacingOccurrences(of: "75", with: "70").replacingOccurrences(
          of: "25", with: "30"))
      #expect(changed.json?["results"]?.arrayValue?.first?["action"] == .string("configured"))
      #expect(changed.json?["revision"] == .int(3))
    }
  }

  @Test func getReturnsExactlyWhatWasApplied() async throws {
    let harness = AdminHarness()
    try await harness.app.test(.router) { client in
      let yaml = AdminFixtures.reviewsVS.replacingOccurrences(
        of: "hosts: [reviews]", with: "hosts: [reviews]\n  someFutureField: {x: 1}")
      #expect(try await client.post("/apply", yaml).status == .ok)
      let source = try ConfigParser().parseDocuments(Data(yaml.utf8))[0]

      let got = try await client.get(
        "/apis/networking.istio.io/v1/namespaces/default/virtualservices/reviews")
      #expect(got.status == .ok)
      #expect(got.headers[.contentType] == "application/json")
      let json = try #require(got.json)
      #expect(json["spec"] == source["spec"])
      #expect(json["spec"]?["someFutureField"]?["x"] == .int(1))
      #expect(json["apiVersion"] == .string("networking.istio.io/v1"))
      #expect(json["metadata"]?["resourceVersion"] == .string("1"))
      #expect(json["metadata"]?["generation"] == .int(1))
      #expect(json["metadata"]?["creationTimestamp"]?.stringValue != nil)

      let yamlResponse = try await client.get(
        "/apis/networking.istio.io/v1/namespaces/default/virtualservices/reviews",
        accept: "application/yaml")
      #expect(yamlResponse.headers[.contentType] == "application/yaml")
      let fromYAML = try ConfigParser().parseDocuments(Data(yamlResponse.text.utf8), format: .yaml)[
        0]
      #expect(fromYAML == json)

      // Older API versions in the path read the same objects.
      let beta = try await client.get(
        "/apis/networking.istio.io/v1beta1/namespaces/default/virtualservices/reviews")
      #expect(beta.json == json)
    }
  }

  @Test func listByNamespaceAndAcrossNamespaces() async throws {
    let harness = AdminHarness()
    try await harness.app.test(.router) { client in
      let body = [
        AdminFixtures.workload("a", namespace: "x"), AdminFixtures.workload("b", namespace: "y"),
        AdminFixtures.workload("c", namespace: "x"),
      ].joined(separator: "\n---\n")
      #expect(try await client.post("/apply", body).status == .ok)
      let all = try await client.get("/apis/networking.istio.io/v1/workloadentries")
      #expect(all.json?["kind"] == .string("WorkloadEntryList"))
      #expect(
        all.json?["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } == [
          "a", "c", "b",
        ])
      let x = try await client.get("/apis/networking.istio.io/v1/namespaces/x/workloadentries")
      #expect(x.json?["items"]?.arrayValue?.count == 2)
      let none = try await client.get("/apis/networking.istio.io/v1/namespaces/x/virtualservices")
      #expect(none.json?["items"]?.arrayValue?.isEmpty == true)
    }
  }

  @Test func putCreatesReplacesAndDetectsStaleVersions() async throws {
    let harness = AdminHarness()
    try await harness.app.test(.router) { client in
      let uri = "/apis/networking.istio.io/v1/namespaces/default/workloadentries/w1"
      let created = try await client.put(uri, AdminFixtures.workload("w1"))
      #expect(created.status == .created)
      #expect(created.json?["metadata"]?["resourceVersion"] == .string("1"))

      // Namespace taken from the URL when the body has none.
      let noNamespace =
        "apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: w2}\nspec: {address: 10.0.0.2}\n"
      let created2 = try await client.put(
        "/apis/networking.istio.io/v1/namespaces/prod/workloadentries/w2", noNamespace)
      #expect(created2.status == .created)
      #expect(created2.json?["metadata"]?["namespace"] == .string("prod"))

      let withVersion = AdminFixtures.workload("w1", address: "10.0.0.5")
        .replacingOccurrences(
          of: "namespace: default}", with: "namespace: default, resourceVersion: \"1\"}")
      let replaced = try await client.put(uri, withVersion)
      #expect(replaced.status == .ok)
      #expect(replaced.json?["metadata"]?["resourceVersion"] == .string("3"))
      #expect(replaced.json?["metadata"]?["generation"] == .int(2))

      let before = try await client.configz()
      let stale = try await client.put(
        uri, withVersion.replacingOccurrences(of: "10.0.0.5", with: "10.0.0.6"))
      #expect(stale.status == .conflict)
      #expect(stale.json?["error"]?.stringValue?.contains("stale") == true)
      #expect(
        stale.json?["details"]?.arrayValue?.first?["field"] == .string("metadata.resourceVersion"))
      #expect(try await client.configz() == before)

      let mismatch = try await client.put(uri, AdminFixtures.workload("other"))
      #expect(mismatch.status == .badRequest)
      #expect(try await client.configz() == before)
    }
  }

  @Test func deleteAndNotFound() async throws {
    let harness = AdminHarness()
    try await harness.app.test(.router) { client in
      #expect(try await client.post("/apply", AdminFixtures.reviewsDR).status == .ok)
      let uri = "/apis/networking.istio.io/v1/namespaces/default/destinationrules/reviews"
      let deleted = try await client.execute(uri: uri, method: .delete)
      #expect(deleted.status == .ok)
      #expect(deleted.json?["kind"] == .string("DestinationRule"))
      let again = try await client.execute(uri: uri, method: .delete)
      #expect(again.status == .notFound)
      #expect(again.json?["error"]?.stringValue?.contains("not found") == true)
      #expect(try await client.get(uri).status == .notFound)
      #expect(
        try await client.get("/apis/networking.istio.io/v1/namespaces/default/gateways/x").status
          == .notFound)
      #expect(
        try await client.get("/apis/networking.istio.io/v2/virtualservices").status == .notFound)
      let unknown = try await client.get("/no/such/route")
      #expect(unknown.status == .notFound)
      #expect(unknown.json?["error"] != nil)
      #expect(harness.store.revision == 2)
    }
  }

  @Test func bodyLimitGives413() async throws {
    let harness = AdminHarness(maxBodyBytes: 1024)
    try await harness.app.test(.router) { client in
      let big = AdminFixtures.workload("big") + "\n" + String(repeating: "# padding\n", count: 200)
      let response = try await client.post("/apply", big)
      #expect(response.status == .contentTooLarge)
      #expect(response.json?["error"]?.stringValue?.contains("limit") == true)
      #expect(try await client.configz() == "[]\n")
    }
  }

  @Test func defaultLimitIsEightMiB() async throws {
    let harness = AdminHarness()
    try await harness.app.test(.live) { client in
      let big =
        AdminFixtures.workload("big") + "\n" + String(repeating: "#", count: 8 * 1024 * 1024)
      let response = try await client.post("/apply", big)
      #expect(response.status == .contentTooLarge)
      #expect(response.json?["error"] != nil)
    }
    #expect(harness.store.count == 0)
  }

  @Test(arguments: ["application/xml", "text/html", "multipart/form-data; boundary=x", "image/png"])
  func unsupportedContentTypeGives415(contentType: String) async throws {
    let harness = AdminHarness()
    try await harness.app.test(.router) { client in
      let response = try await client.post(
        "/apply", AdminFixtures.reviewsDR, contentType: contentType)
      #expect(response.status == .unsupportedMediaType)
      #expect(response.json?["error"]?.stringValue?.contains("content type") == true)
      #expect(try await client.configz() == "[]\n")
    }
  }

  @Test(arguments: [
    nil, "application/json", "text/plain", "application/x-www-form-urlencoded",
    "application/yaml; charset=utf-8",
  ])
  func acceptedContentTypes(contentType: String?) async throws {
    let harness = AdminHarness()
    try await harness.app.test(.router) { client in
      let body =
        contentType == "application/json"
        ? #"{"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry","metadata":{"name":"j"},"spec":{"address":"1.2.3.4"}}"#
        : AdminFixtures.workload("j")
      let response = try await client.post("/apply", body, contentType: contentType)
      #expect(response.status == .ok)
    }
  }

  @Test func configzIsIstiodShaped() async throws {
    let harness = AdminHarness()
    try await harness.app.test(.router) { client in
      _ = try await client.post(
        "/apply", AdminFixtures.reviewsVS + "\n---\n" + AdminFixtures.reviewsDR)
      let configz = try await client.get("/debug/configz")
      let items = try #require(configz.json?.arrayValue)
      #expect(items.count == 2)
      for item in items {
        #expect(
          Set(item.objectValue?.keys.map { $0 } ?? []) == [
            "apiVersion", "kind", "metadata", "spec",
          ])
      }
      #expect(items.map { $0["kind"]?.stringValue } == ["DestinationRule", "VirtualService"])
    }
  }

  @Test func readinessAndExtensions() async throws {
    let harness = AdminHarness(extensions: [
      AdminRoutes { router in
        router.get("/debug/syncz") { _, _ in "[]" }
        router.get("/debug/fails") { _, _ -> String in
          throw AdminError(.badRequest, "proxyID is required")
        }
      }
    ])
    try await harness.app.test(.router) { client in
      let ready = try await client.get("/healthz/ready")
      #expect(ready.status == .ok)
      #expect(try await client.get("/debug/syncz").text == "[]")
      let failing = try await client.get("/debug/fails")
      #expect(failing.status == .badRequest)
      #expect(failing.json?["error"] == .string("proxyID is required"))
    }
    let notReady = AdminServer(store: InMemoryConfigStore(), readiness: { false })
    try await Application(router: notReady.makeRouter()).test(.router) { client in
      let response = try await client.get("/healthz/ready")
      #expect(response.status == .serviceUnavailable)
    }
  }

  @Test func yamlApplyResponseOnRequest() async throws {
    let harness = AdminHarness()
    try await harness.app.test(.router) { client in
      let response = try await client.post(
        "/apply", AdminFixtures.reviewsDR, accept: "application/yaml")
      #expect(response.headers[.contentType] == "application/yaml")
      #expect(response.text.contains("action: created"))
    }
  }
}
