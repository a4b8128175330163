import FairwayAPI
import FairwayMesh
import FairwayStore
import FairwayTranslate
import FairwayXDS
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import FairwayAdmin

/// `GET /wait` against a real store and an ADS server that is not serving: its translation
/// stays at revision 0, so any later revision is never pushed.
@Suite struct WaitRouteTests {
  static func harness() throws -> (AdminHarness, XDSServer) {
    let store = InMemoryConfigStore()
    let xds = try XDSServer(
      store: store, engine: TranslationEngine(), logger: Logger(label: "test"))
    let harness = AdminHarness(
      store: store, extensions: [XDSWaitRoutes(server: xds, store: store)])
    return (harness, xds)
  }

  @Test func badRevisionOrTimeoutIsA400NamingTheField() async throws {
    let (harness, _) = try Self.harness()
    try await harness.app.test(.router) { client in
      for (query, field) in [
        ("revision=abc", "revision"), ("revision=-1", "revision"), ("revision=5", "revision"),
        ("timeout=soon", "timeout"), ("timeout=-1s", "timeout"), ("timeout=301s", "timeout"),
      ] {
        let response = try await client.get("/wait?\(query)")
        #expect(response.status == .badRequest, "\(query)")
        #expect(
          response.json?["details"]?.arrayValue?.first?["field"] == .string(field), "\(query)")
      }
    }
  }

  @Test func aRevisionNeverPushedTimesOutWith504() async throws {
    let (harness, _) = try Self.harness()
    try await harness.app.test(.router) { client in
      let applied = try await client.post("/apply", AdminFixtures.reviewsVS)
      #expect(applied.json?["revision"] == .int(1))
      let started = ContinuousClock.now
      let response = try await client.get("/wait?revision=1&timeout=200ms")
      #expect(ContinuousClock.now - started >= .milliseconds(200))
      #expect(response.status == .gatewayTimeout)
      let body = try JSONDecoder().decode(WaitResponse.self, from: Data(response.text.utf8))
      #expect(body.state == .pending && body.revision == 1 && body.publishedRevision == 0)
      #expect(body.error?.contains("was not pushed") == true)
      let deleted = try await client.execute(
        uri: "/apis/networking.istio.io/v1/namespaces/default/virtualservices/reviews",
        method: .delete)
      let header = try #require(HTTPField.Name("Fairway-Revision"))
      #expect(deleted.headers[header] == "2")
      // Revision 0 is the translation's own: nothing to wait for, no proxy connected.
      let now = try await client.get("/wait?revision=0")
      #expect(now.status == .ok)
      #expect(now.json?["state"] == .string("synced"))
    }
  }

  @Test func parsesDurations() {
    #expect(WaitResponse.seconds(from: "30s") == 30)
    #expect(WaitResponse.seconds(from: "500ms") == 0.5)
    #expect(WaitResponse.seconds(from: "2m") == 120)
    #expect(WaitResponse.seconds(from: "1.5") == 1.5)
    #expect(WaitResponse.seconds(from: "") == nil)
    #expect(WaitResponse.seconds(from: "s") == nil)
    #expect(WaitResponse.seconds(from: "1e9") == nil)
    #expect(WaitResponse.seconds(from: "-3s") == nil)
  }

  @Test func proxiesAreGroupedAndTheWorstStateWins() {
    let result = RevisionWaitResult(
      revision: 4, publishedRevision: 4,
      streams: [
        .init(connectionID: 1, proxyID: "b", kind: .sotw, outcome: .init()),
        .init(connectionID: 2, proxyID: "a", kind: .delta, outcome: .init(pending: [.cluster])),
        .init(
          connectionID: 3, proxyID: "a", kind: .delta,
          outcome: .init(rejected: [.init(type: .listener, revision: 4, message: "bad")])),
      ])
    let body = XDSWaitRoutes.response(result, timeoutSeconds: 1, waitedSeconds: 1)
    #expect(body.proxies.map(\.proxy) == ["a", "b"])
    #expect(body.proxies[0].state == .rejected && body.proxies[0].connections == ["2", "3"])
    #expect(body.proxies[0].pending == ["CDS"])
    #expect(body.proxies[0].rejected == [.init(type: "LDS", revision: 4, message: "bad")])
    #expect(body.state == .rejected && body.httpStatus == 409)
    #expect((body.synced, body.rejected, body.pending) == (1, 1, 0))
  }
}
