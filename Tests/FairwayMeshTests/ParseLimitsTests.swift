import FairwayMesh
import Foundation
import Testing

/// Limits on what one body expands to (issue #20: alias amplification, parse CPU), and the
/// strict JSON reader.
@Suite struct ParseLimitsTests {
  let parser = ConfigParser()

  /// `fanout ** levels` values through aliases, from a few hundred bytes.
  static func aliasBomb(levels: Int, fanout: Int = 10) -> String {
    var yaml = "x0: &a0 [" + Array(repeating: "lol", count: fanout).joined(separator: ", ") + "]\n"
    for level in 1..<levels {
      yaml +=
        "x\(level): &a\(level) ["
        + Array(repeating: "*a\(level - 1)", count: fanout).joined(separator: ", ") + "]\n"
    }
    return yaml
  }

  func parseError(_ text: String, format: ContentFormat = .yaml, parser: ConfigParser? = nil)
    -> ConfigParseError?
  {
    do {
      _ = try (parser ?? self.parser).parseDocuments(Data(text.utf8), format: format)
      return nil
    } catch {
      return error as? ConfigParseError
    }
  }

  @Test func aliasBombIsRefusedQuicklyNamingTheLimit() throws {
    let bomb = Self.aliasBomb(levels: 10)  // 10^10 values expanded
    #expect(bomb.utf8.count < 700)
    let start = ContinuousClock.now
    let error = try #require(parseError(bomb))
    #expect(ContinuousClock.now - start < .seconds(5))
    #expect(error.message.contains("limit maxAliasValues"), "\(error)")
    #expect(error.document == 1)
    #expect(error.line != nil)
  }

  @Test func theDocumentThatExceedsIsNamed() throws {
    let text = "a: 1\n---\nb: 2\n---\n" + Self.aliasBomb(levels: 6)
    let error = try #require(parseError(text))
    #expect(error.document == 3, "\(error)")
  }

  @Test func modestAliasesStillWork() throws {
    let text = """
      base: &labels {app: reviews, version: v1}
      one: *labels
      two: *labels
      """
    let documents = try parser.parseDocuments(Data(text.utf8), format: .yaml)
    #expect(documents.first?["two"]?["app"] == .string("reviews"))
  }

  @Test func aliasedCollectionAsKeyIsRefusedBeforeComposing() throws {
    // Composing would hash 2^40 nodes for the key.
    var text = "a0: &a0 [x, x]\n"
    for level in 1..<40 { text += "a\(level): &a\(level) [*a\(level - 1), *a\(level - 1)]\n" }
    let small = "k: &k [x]\n? *k\n: v\n"
    let error = try #require(parseError(small))
    #expect(error.message == "mapping keys must be scalars")
    #expect(error.line == 2)
    let start = ContinuousClock.now
    #expect(parseError(text + "? *a39\n: boom\n") != nil)
    #expect(ContinuousClock.now - start < .seconds(5))
    #expect(parseError("? [a, b]\n: v\n")?.message == "mapping keys must be scalars")
  }

  @Test func aliasedTextCountsItsBytes() throws {
    let limits = ParseLimits(maxValues: 1_000_000, maxAliasValues: 1_000_000, maxBytes: 100_000)
    let strict = ConfigParser(limits: limits)
    let long = String(repeating: "z", count: 10_000)
    let text =
      "s: &s \(long)\nl: [" + Array(repeating: "*s", count: 20).joined(separator: ", ")
      + "]\n"
    let error = try #require(parseError(text, parser: strict))
    #expect(error.message.contains("limit maxBytes"), "\(error)")
    let fits = "s: &s \(long)\nl: [*s, *s]\n"
    #expect(parseError(fits, parser: strict) == nil)
  }

  @Test func valueLimitAppliesToJSONAndYAML() throws {
    let strict = ConfigParser(limits: ParseLimits(maxValues: 100))
    let json = "[" + Array(repeating: "1", count: 200).joined(separator: ",") + "]"
    #expect(
      parseError(json, format: .json, parser: strict)?.message.contains("limit maxValues") == true)
    let yaml = "a: [" + Array(repeating: "1", count: 200).joined(separator: ", ") + "]\n"
    #expect(parseError(yaml, parser: strict)?.message.contains("limit maxValues") == true)
    let small = "[" + Array(repeating: "1", count: 50).joined(separator: ",") + "]"
    #expect(parseError(small, format: .json, parser: strict) == nil)
  }

  @Test(arguments: [
    (#"{"a":1,"a":2}"#, "duplicate key \"a\" at a"),
    (#"{"m":{"x":{"k":1},"x":2}}"#, "duplicate key \"x\" at m.x"),
    (#"[{"a":1},{"b":[{"c":1,"c":1}]}]"#, "duplicate key \"c\" at [1].b[0].c"),
  ])
  func duplicateJSONKeysAreRefusedWithTheirPath(json: String, message: String) throws {
    let error = try #require(parseError(json, format: .json))
    #expect(error.message == "invalid JSON: \(message)", "\(error)")
  }

  @Test func jsonReaderReadsWhatJSONDecoderDid() throws {
    let text =
      "\u{FEFF}"
      + #"{"s":"a\"b\\c\/\n\u00e9\ud83d\ude00","i":-42,"big":4294967396,"f":1.5,"e":1e3,"t":true,"n":null,"arr":[],"obj":{}}"#
    let value = try #require(try parser.parseDocuments(Data(text.utf8), format: .json).first)
    #expect(value["s"] == .string("a\"b\\c/\n\u{e9}\u{1F600}"))
    #expect(value["i"] == .int(-42))
    #expect(value["big"] == .int(4_294_967_396))
    #expect(value["f"] == .double(1.5))
    #expect(value["e"] == .double(1000))
    #expect(value["t"] == .bool(true))
    #expect(value["n"] == .null)
    #expect(value["arr"] == .array([]))
    #expect(value["obj"] == .object([:]))
  }

  @Test(arguments: [
    "{", "[1,]", "{\"a\":}", "{\"a\" 1}", "01", "1.", "-", "tru", "\"\\x\"", "\"\\ud800\"",
    "\"a\nb\"", "{} {}", "1e999", "{'a':1}", "[1 2]",
  ])
  func invalidJSONIsAParseError(text: String) {
    #expect(parseError(text, format: .json)?.message.hasPrefix("invalid JSON:") == true, "\(text)")
  }
}
