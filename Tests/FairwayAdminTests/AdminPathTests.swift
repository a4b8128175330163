import FairwayAdmin
import Testing

/// The one path normalization that authentication and routing both read.
@Suite struct AdminPathTests {
  @Test(arguments: [
    ("/debug/configz", "/debug/configz"),
    ("//debug/configz", "/debug/configz"),
    ("/debug//configz", "/debug/configz"),
    ("///debug///configz///", "/debug/configz"),
    ("/./debug/./configz", "/debug/configz"),
    ("/debug/configz/", "/debug/configz"),
    ("/debug/configz/.", "/debug/configz"),
    ("/debug/../debug/configz", "/debug/configz"),
    ("/x/y/../../debug/configz", "/debug/configz"),
    ("/%64ebug/configz", "/debug/configz"),
    ("/debug/%2e%2e/debug/configz", "/debug/configz"),
    ("/a%20b", "/a%20b"),
    ("/a%3ab", "/a%3Ab"),
    ("/DEBUG/configz", "/DEBUG/configz"),
    ("/", "/"),
    ("//", "/"),
    ("/.", "/"),
    ("/x/..", "/"),
  ])
  func canonical(raw: String, expected: String) {
    #expect(AdminPath.normalize(raw) == .canonical(expected), "\(raw)")
  }

  @Test(arguments: [
    "/debug%2Fconfigz", "/debug%2fconfigz", "/debug%5Cconfigz", "/debug%5cconfigz",
    "/debug\\configz", "/..", "/../debug/configz", "/debug/../../x", "/%2e%2e/x", "/a%4", "/a%zz",
    "debug/configz", "*", "http://host/debug/configz", "",
  ])
  func rejected(raw: String) {
    guard case .rejected = AdminPath.normalize(raw) else {
      Issue.record("\(raw) was accepted: \(AdminPath.normalize(raw))")
      return
    }
  }
}
