import FairwayMesh
import FairwayResources
import FairwayStore
import FairwayTranslate
import FairwayXDS
import Foundation
import Logging
import Testing

@testable import FairwayAdmin

@Suite struct OperatorPagesTests {
  @Test func escapesEveryHTMLSpecialCharacter() {
    #expect(
      HTMLText.escape(#"<a href="x">'&'</a>"#)
        == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    #expect(HTMLText.escape("plain ~ text é") == "plain ~ text é")
    #expect(HTMLText.pathSegment("reviews-v1.x") == "reviews-v1.x")
    #expect(HTMLText.pathSegment("a/b c?é") == "a%2Fb%20c%3F%C3%A9")
  }

  @Test func parsesProcStatEvenWithParenthesesInTheCommandName() {
    // Fields after the name: state=3 ... utime=14 stime=15 ... starttime=22.
    let fields = (3...30).map { $0 == 14 ? "250" : $0 == 15 ? "150" : $0 == 22 ? "1000" : "0" }
    let stat = "1234 (fair way) (x)) " + fields.joined(separator: " ")
    let parsed = ProcessStats.parseStat(stat, ticksPerSecond: 100)
    #expect(parsed.cpuSeconds == 4.0)
    #expect(parsed.startTicks == 1000)
    #expect(ProcessStats.parseStat("garbage", ticksPerSecond: 100).cpuSeconds == nil)
    #expect(ProcessStats.parseStat("1 (x) S 1", ticksPerSecond: 100).cpuSeconds == nil)
    #expect(ProcessStats.parseStatm("100 25 3 1 0 20 0\n", pageSize: 4096) == 102_400)
    #expect(ProcessStats.parseStatm("", pageSize: 4096) == nil)
  }

  #if os(Linux)
    /// A block larger than every other test could allocate or free meanwhile, never touched
    /// (it is counted when handed out, not when resident).
    @Test func heapInUseFollowsAnAllocationAndItsFree() throws {
      let size = 1 << 30
      let before = try #require(ProcessStats.current().heapInUseBytes)
      let block = try #require(malloc(size))
      let held = try #require(ProcessStats.current().heapInUseBytes)
      free(block)
      let after = try #require(ProcessStats.current().heapInUseBytes)
      let slack = Double(128 << 20)
      #expect(abs(held - before - Double(size)) < slack, "\(before) -> \(held)")
      #expect(abs(held - after - Double(size)) < slack, "\(held) -> \(after)")
      #expect(try #require(ProcessStats.current().heapFreeBytes) >= 0)
    }
  #endif

  @Test func scrapeIsPrometheusTextWithScrapeTimeGauges() async throws {
    let store: any ConfigStore = InMemoryConfigStore()
    _ = try await store.apply(
      try ConfigParser().parse(Data(AdminFixtures.reviewsVS.utf8), format: .yaml).objects)
    let server = try XDSServer(
      store: store, engine: TranslationEngine(), logger: Logger(label: "test"))
    let exporter = PrometheusExporter()
    let text = await exporter.scrape(server: server, store: store)
    #expect(text.contains("# TYPE pilot_virt_services gauge\npilot_virt_services 1"))
    #expect(text.contains("# TYPE pilot_services gauge\npilot_services 0"))
    #if os(Linux)
      #expect(text.contains("# TYPE process_resident_memory_bytes gauge"))
      #expect(text.contains("# TYPE process_cpu_seconds_total counter"))
      #expect(text.contains("# TYPE process_open_fds gauge"))
      #expect(text.contains("# TYPE fairway_heap_in_use_bytes gauge"))
      #expect(text.contains("# TYPE fairway_heap_free_bytes gauge"))
    #endif
    #expect(text.hasSuffix("\n"))
  }

  /// PushRecord has no public memberwise init; it is Codable, which is how the page gets it anyway.
  static func push(trigger: String) throws -> PushRecord {
    let json: [String: Any] = [
      "time": 0, "triggers": [trigger: 2], "configsUpdated": [trigger], "configsUpdatedCount": 1,
      "types": ["cds"],
      "proxiesPushed": 1, "debounceSeconds": 0.1, "durationSeconds": 0.002, "revision": 3,
    ]
    return try JSONDecoder().decode(
      PushRecord.self, from: JSONSerialization.data(withJSONObject: json))
  }

  @Test func statusPageEscapesWhatProxiesAndConfigsSay() throws {
    let now = Date()
    let hostile = #"<img src=x onerror="alert(1)">"#
    let model = StatusPageModel(
      now: now,
      proxies: [
        .init(
          id: "sidecar~1.2.3.4~\(hostile)~default.svc.cluster.local", connectionID: 1,
          client: "envoy sidecar",
          streamKind: "SotW", namespace: "default", peer: "ipv4:127.0.0.1:5", connectedAt: now,
          lastPush: nil,
          states: [.init(name: "CDS", state: .error, lastError: hostile)])
      ],
      nacks: [.init(proxy: hostile, type: "CDS", message: hostile, time: now)],
      pushes: [try Self.push(trigger: hostile)],
      configs: [
        .init(
          kind: .virtualService, namespace: "default", name: "a\"b", resourceVersion: "1",
          summary: hostile)
      ],
      pushesSent: 3, nacksReceived: 1)
    let html = StatusPageHTML.render(model)
    #expect(!html.contains("<img"))
    #expect(html.contains("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"))
    #expect(html.contains("virtualservices/a%22b?format=yaml"))
    #expect(html.contains("chip error"))
    #expect(html.components(separatedBy: "<script>").count == 2)
  }

  @Test func emptyStatusPageSaysSo() {
    let model = StatusPageModel(
      now: Date(), proxies: [], nacks: [], pushes: [], configs: [], pushesSent: 0, nacksReceived: 0)
    let html = StatusPageHTML.render(model)
    #expect(html.contains("No proxies connected."))
    #expect(html.contains("No pushes yet."))
    #expect(html.hasPrefix("<!doctype html>"))
  }
}

extension OperatorPagesTests {
  @Test func manyProxiesAreCappedWithTroubleFirst() {
    let now = Date()
    var proxies: [StatusPageModel.ProxyRow] = []
    for index in 0..<(StatusPageHTML.maxProxyRows + 50) {
      let state: SyncState = index == 299 ? .error : .synced
      proxies.append(
        .init(
          id:
            "sidecar~10.0.\(index / 250).\(index % 250)~p\(index).default~default.svc.cluster.local",
          connectionID: UInt64(index), client: "envoy sidecar", streamKind: "SotW",
          namespace: "default",
          peer: "", connectedAt: now, lastPush: now,
          states: [.init(name: "CDS", state: state, lastError: "bad")]))
    }
    let html = StatusPageHTML.render(
      .init(
        now: now, proxies: proxies, nacks: [], pushes: [], configs: [], pushesSent: 0,
        nacksReceived: 1))
    #expect(html.contains("… 50 more"))
    let firstRow = html.range(of: "<tbody><tr>").map { html[$0.upperBound...].prefix(300) } ?? ""
    #expect(firstRow.contains("p299.default"))
    #expect(html.count < 400_000)
  }
}
