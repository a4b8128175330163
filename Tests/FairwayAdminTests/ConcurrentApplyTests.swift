import FairwayAPI
import FairwayAdmin
import FairwayMesh
import FairwayStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct ConcurrentApplyTests {
  /// 1,000 applies in flight at once over real HTTP connections (AsyncHTTPClient pool).
  @Test func thousandConcurrentAppliesLoseNothing() async throws {
    let harness = AdminHarness()
    let events = harness.store.events()
    try await harness.app.test(.ahc(.http)) { client in
      let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
        for index in 0..<1_000 {
          group.addTask {
            let body = AdminFixtures.workload(
              "w\(index)", namespace: "ns\(index % 7)",
              address: "10.\(index / 250).\(index % 250).1")
            return try await client.post("/apply", body).status
          }
        }
        var statuses: [HTTPResponse.Status] = []
        for try await status in group { statuses.append(status) }
        return statuses
      }
      #expect(statuses.count == 1_000)
      #expect(statuses.allSatisfy { $0 == .ok })
      let configz = try await client.get("/debug/configz")
      #expect(configz.json?.arrayValue?.count == 1_000)
      let all = try await client.get("/apis/networking.istio.io/v1/workloadentries")
      #expect(all.json?["metadata"]?["resourceVersion"] == .string("1000"))
    }
    #expect(harness.store.revision == 1_000)
    let versions = Set(
      harness.store.list(kind: .workloadEntry, namespace: nil).compactMap(
        \.metadata.resourceVersion))
    #expect(versions == Set((1...1_000).map(String.init)))
    // The subscriber saw every change, in revision order.
    var revisions: [Int64] = []
    for await event in events {
      revisions.append(event.revision)
      if revisions.count == 1_000 { break }
    }
    #expect(revisions == Array(1...1_000))
  }

  /// The CLI's client (URLSession) against a live server: apply, get, delete, errors.
  @Test func adminClientRoundTrip() async throws {
    let harness = AdminHarness()
    try await harness.app.test(.live) { testClient in
      let port = try #require(testClient.port)
      let client = AdminClient(baseURL: try #require(URL(string: "http://127.0.0.1:\(port)")))
      let applied = try await client.apply(Data(AdminFixtures.reviewsDR.utf8))
      #expect(applied.results.map(\.action) == ["created"])
      #expect(applied.results.first?.kind == "DestinationRule")
      let yaml = try await client.get(
        ConfigKind.destinationRule.api, namespace: "default", name: "reviews", yaml: true)
      #expect(yaml.text.contains("kind: DestinationRule"))
      let list = try await client.get(
        ConfigKind.destinationRule.api, namespace: nil, name: nil, yaml: false)
      #expect(try JSONValue.parse(json: list.body)["items"]?.arrayValue?.count == 1)
      do {
        _ = try await client.apply(
          Data(
            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: x}\nspec: {}\n"
              .utf8))
        Issue.record("expected an error")
      } catch let error as AdminClientError {
        #expect(error.status == 422)
        #expect(error.description.contains("spec.host"))
      }
      _ = try await client.delete(
        ConfigKind.destinationRule.api, namespace: "default", name: "reviews")
      do {
        _ = try await client.delete(
          ConfigKind.destinationRule.api, namespace: "default", name: "reviews")
        Issue.record("expected 404")
      } catch let error as AdminClientError {
        #expect(error.status == 404)
      }
    }
  }

  @Test func unreachableServerIsATransportError() async throws {
    let client = AdminClient(baseURL: try #require(URL(string: "http://127.0.0.1:1")))
    await #expect(throws: AdminClientError.self) {
      _ = try await client.get(
        ConfigKind.virtualService.api, namespace: nil, name: nil, yaml: false)
    }
  }
}

extension ConfigKind {
  /// The admin API collection the CLI would use for this kind.
  var api: ResourceType { ResourceType(apiVersion: ConfigKind.preferredAPIVersion, plural: plural) }
}
