import FairwayMesh
import Testing

@Suite struct DurationTests {
  @Test(arguments: [
    ("1.5s", Int64(1), Int32(500_000_000)), ("300ms", 0, 300_000_000), ("2m", 120, 0),
    ("1h", 3600, 0),
    ("1h30m", 5400, 0), ("0", 0, 0), ("0s", 0, 0), ("10us", 0, 10_000), ("5ns", 0, 5),
    ("-1s", -1, 0),
    (".5s", 0, 500_000_000), ("7200s", 7200, 0),
  ])
  func parses(text: String, seconds: Int64, nanos: Int32) throws {
    let duration = try #require(IstioDuration(text))
    #expect(duration.seconds == seconds)
    #expect(duration.nanos == nanos)
    #expect(duration.text == text)
  }

  @Test(arguments: ["", "s", "1", "1x", "1.2.3s", "abc", "1s2", "--1s", "99999999999999h", "1 s"])
  func rejects(text: String) {
    #expect(IstioDuration(text) == nil)
  }

  @Test func negativeIsFlagged() throws {
    #expect(try #require(IstioDuration("-300ms")).isNegative)
    #expect(try #require(IstioDuration("300ms")).totalNanoseconds == 300_000_000)
  }
}
