import FairwayMCP
import FairwayMesh
import Foundation
import Testing

/// A full set against what the source already owns: creates, updates, deletes, and refusals.
@Suite struct MCPSinkBatchTests {
  static let source = "xds://127.0.0.1:15010"

  static func entry(_ name: String, port: Int = 80, owner: String? = nil) throws -> ConfigObject {
    let yaml = """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: \(name), namespace: default}
      spec: {hosts: [\(name).example.com], ports: [{number: \(port), name: http, protocol: HTTP}], resolution: DNS}
      """
    var object = try #require(
      try ConfigParser().parse(Data(yaml.utf8), format: .yaml).objects.first)
    if let owner { object.metadata.annotations[ConfigOwnership.sourceAnnotation] = owner }
    return object
  }

  @Test func createsUpdatesAndDeletesOnlyWhatTheSourceOwns() throws {
    let stored = [
      try Self.entry("a", owner: Self.source), try Self.entry("b", owner: Self.source),
      try Self.entry("c", owner: Self.source), try Self.entry("mine"),
      try Self.entry("other", owner: "xds://10.0.0.1:1"),
    ]
    let incoming = [try Self.entry("a"), try Self.entry("b", port: 81), try Self.entry("d")]
    let batch = try MCPSinkBatch.plan(incoming: incoming, stored: stored, source: Self.source)
    #expect(batch.upserts.map(\.name) == ["b", "d"])
    #expect(batch.upserts.allSatisfy { ConfigOwnership.source(of: $0) == Self.source })
    #expect(batch.deletes.map(\.name) == ["c"])
    let same = try MCPSinkBatch.plan(
      incoming: [try Self.entry("a"), try Self.entry("b"), try Self.entry("c")], stored: stored,
      source: Self.source)
    #expect(same.isEmpty)
    // An empty set deletes everything the source owns, nothing else.
    let empty = try MCPSinkBatch.plan(incoming: [], stored: stored, source: Self.source)
    #expect(empty.deletes.map(\.name) == ["a", "b", "c"])
  }

  @Test func refusesObjectsOwnedElsewhereAndDuplicates() throws {
    let stored = [try Self.entry("mine"), try Self.entry("other", owner: "xds://10.0.0.1:1")]
    #expect {
      try MCPSinkBatch.plan(incoming: [try Self.entry("mine")], stored: stored, source: Self.source)
    } throws: { "\($0)".contains("owned by the admin API") }
    #expect {
      try MCPSinkBatch.plan(
        incoming: [try Self.entry("other")], stored: stored, source: Self.source)
    } throws: { "\($0)".contains("xds://10.0.0.1:1") }
    #expect {
      try MCPSinkBatch.plan(
        incoming: [try Self.entry("x"), try Self.entry("x")], stored: [], source: Self.source)
    } throws: { "\($0)".contains("resources[1]") && "\($0)".contains("more than once") }
  }

  @Test func addressParsing() {
    #expect(MCPSink.parse("xds://127.0.0.1:15010")?.0 == "127.0.0.1")
    #expect(MCPSink.parse("xds://127.0.0.1:15010")?.1 == 15010)
    #expect(MCPSink.parse("http://127.0.0.1:1") == nil)
    #expect(MCPSink.parse("xds://127.0.0.1") == nil)
    #expect(MCPSink.parse("xds://:80") == nil)
    #expect(MCPSink.parse("xds://h:70000") == nil)
  }
}
