import FairwayMesh
import Foundation
import Testing

@Suite struct ParserRobustnessTests {
  let parser = ConfigParser()

  @Test func yamlSyntaxErrorHasLineAndColumn() {
    let yaml =
      "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: x\n spec: [\n"
    #expect {
      try parser.parse(Data(yaml.utf8))
    } throws: { error in
      guard let error = error as? ConfigParseError else { return false }
      return error.line != nil && error.column != nil
    }
  }

  @Test func duplicateKeysAreErrors() {
    let yaml = "apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nkind: ServiceEntry\n"
    #expect(throws: ConfigParseError.self) { try parser.parse(Data(yaml.utf8)) }
  }

  @Test(arguments: [
    String(repeating: "[", count: 200_000),
    String(repeating: "- ", count: 200_000) + "x",
    String(repeating: "{a: ", count: 100_000),
    "a: " + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000),
  ])
  func hostileNestingIsRejectedNotCrashed(text: String) {
    #expect(throws: (any Error).self) { try parser.parse(Data(text.utf8), format: .yaml) }
    #expect(throws: (any Error).self) { try parser.parse(Data(text.utf8), format: .auto) }
  }

  @Test func deepBlockNestingNeitherCrashesNorPasses() {
    // 1-space indentation gives the most levels per byte that block style allows.
    for depth in [790, 2_000] {
      let mappings = (0..<depth).map { String(repeating: " ", count: $0) + "k:" }.joined(
        separator: "\n")
      #expect(throws: (any Error).self) { try parser.parse(Data(mappings.utf8), format: .yaml) }
    }
    let mappings = (0..<2_000).map { String(repeating: " ", count: $0) + "k:" }.joined(
      separator: "\n")
    #expect(throws: (any Error).self) { try parser.parse(Data(mappings.utf8), format: .yaml) }
    let sequences = (0..<2_000).map { String(repeating: " ", count: $0) + "-" }.joined(
      separator: "\n")
    #expect(throws: (any Error).self) { try parser.parse(Data(sequences.utf8), format: .yaml) }
    let json = String(repeating: "{\"a\":", count: 100_000)
    #expect(throws: ConfigParseError.self) { try parser.parse(Data(json.utf8), format: .json) }
  }

  @Test func aliasBombIsRejected() {
    var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for level in 1...9 {
      let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
      yaml += "a\(level): &a\(level) [\(refs)]\n"
    }
    #expect(throws: ConfigParseError.self) { try parser.parse(Data(yaml.utf8), format: .yaml) }
  }

  @Test(arguments: ["", "   ", "---\n", "# nothing\n"])
  func emptyBodiesHaveNoObjects(text: String) throws {
    #expect(try parser.parse(Data(text.utf8)).objects.isEmpty)
  }

  @Test(arguments: ["hello", "42", "[1, 2]", "{\"a\": ", "\u{FF}\u{FE}", "null\n---\n- a"])
  func garbageThrowsCleanly(text: String) {
    #expect(throws: (any Error).self) { try parser.parse(Data(text.utf8)) }
  }

  @Test func invalidUTF8() {
    #expect(throws: ConfigParseError.self) {
      try parser.parse(Data([0x61, 0x3A, 0x20, 0xFF, 0xFE]))
    }
  }

  @Test func wrongTypeNamesThePath() {
    let yaml = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: typed}
      spec:
        hosts: [a]
        http:
        - route:
          - destination: {host: a}
            weight: fifty
      """
    #expect {
      try parser.parse(Data(yaml.utf8))
    } throws: { error in
      (error as? ConfigValidationError)?.issues.first?.fieldPath == "spec.http[0].route[0].weight"
    }
  }
}
