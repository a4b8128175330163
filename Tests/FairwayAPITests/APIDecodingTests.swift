import FairwayAPI
import Foundation
import Testing

/// What clients rely on when reading the API: tolerance of other server versions, raw JSON
/// kept as written, and the CLI's error text.
@Suite struct APIDecodingTests {
  @Test func synczEntryWithMissingKeysStillDecodes() throws {
    let text = #"[{"proxy": "p", "xds": {"t": {"state": "SYNCED"}}, "future_key": 1}]"#
    let entries = try APICoding.decode([SyncStatus].self, from: Data(text.utf8))
    #expect(entries.count == 1)
    #expect(entries[0].proxy == "p")
    #expect(entries[0].streamKind == "")
    #expect(entries[0].state("t") == "SYNCED")
    #expect(entries[0].state("never-asked") == "NOT SENT")
    #expect(entries[0].xds["t"]?.nacks == 0)
    #expect(entries[0].lastPush == nil)
  }

  @Test func lastPushIsTheNewestSentTime() throws {
    let entry = SyncStatus(
      proxy: "p",
      xds: [
        "a": .init(sentTime: "2026-12-06T10:00:00Z"), "b": .init(sentTime: "2026-12-06T10:05:00Z"),
        "c": .init(sentTime: ""),
      ])
    #expect(entry.lastPush == (try Date("2026-12-06T10:05:00Z", strategy: .iso8601)))
  }

  @Test func rawJSONKeepsEachLiteralsType() throws {
    let text =
      #"{"b":true,"i":4294967295,"big":-9007199254740993,"d":1.5,"s":"1","n":null,"a":[false,0],"o":{}}"#
    let value = try APICoding.decode(AnyJSON.self, from: Data(text.utf8))
    #expect(
      value
        == .object([
          "b": .bool(true), "i": .int(4_294_967_295), "big": .int(-9_007_199_254_740_993),
          "d": .double(1.5), "s": .string("1"), "n": .null,
          "a": .array([.bool(false), .int(0)]), "o": .object([:]),
        ]))
    #expect(try APICoding.decode(AnyJSON.self, from: APICoding.encode(value)) == value)
  }

  @Test func apiErrorReadsAsOneMessageWithLocatedDetails() throws {
    let body = try APICoding.encode(GoldenJSONTests.invalidApply)
    let error = AdminClientError.api(status: 422, body: body)
    #expect(error.status == 422)
    #expect(
      error.description == """
        error: 2 problems in 1 document: VirtualService default/x: spec.hosts: virtual service must have at least one host (HTTP 422)
          - VirtualService default/x: spec.hosts: virtual service must have at least one host
          - VirtualService default/x: spec.http[0].route[0].destination.host: host is required
        """)
  }

  @Test func singleDetailAlreadyInTheSummaryIsNotRepeated() throws {
    let body = try APICoding.encode(
      ErrorBody(
        error: "invalid labels: want k=v", code: 400,
        details: [.init(field: "labels", message: "want k=v")], omittedDetails: 3))
    #expect(
      AdminClientError.api(status: 400, body: body).description
        == "error: invalid labels: want k=v (HTTP 400)\n  ... and 3 more")
  }

  @Test func nonJSONErrorShowsTheText() {
    let error = AdminClientError.api(status: 502, body: Data("Bad Gateway\n".utf8))
    #expect(error.description == "error: HTTP 502: Bad Gateway")
  }

  @Test func resourcePathsEscapeSegments() {
    let type = ResourceType(apiVersion: "networking.istio.io/v1", plural: "virtualservices")
    #expect(
      AdminClient.path(type, namespace: "a b", name: "x/y")
        == "/apis/networking.istio.io/v1/namespaces/a%20b/virtualservices/x%2Fy")
    #expect(
      AdminClient.path(type, namespace: nil, name: nil)
        == "/apis/networking.istio.io/v1/virtualservices")
  }
}
