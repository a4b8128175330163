import FairwayMesh
import Testing

/// Patterns RE2 accepts and rejects, per https://github.com/google/re2/wiki/Syntax (and Go's
/// regexp/syntax, which Istio validates with).
@Suite struct RE2SyntaxTests {
  @Test(arguments: [
    "^/status/[0-9]{3}$", "abc", "a|b|", "(a)(b)", "(?:a)", "(?P<name>x)", "(?<name>x)",
    "(?i)abc", "(?i:abc)", "(?im-s:x)", "(?U)a*", "a*?", "a+?", "a??", "a{2}", "a{2,}", "a{2,5}",
    "a{2,5}?", "a{1000}", "(a{10}){100}", "a{,5}", "x{", "{", "a{b}", "[a-z]", "[^a-z]", "[]a]",
    "[^]a]", "[a-]", "[-a]", "[[:alpha:]]", "[[:^digit:]x]", "[\\d\\s]", "\\d\\D\\s\\S\\w\\W",
    "\\pL", "\\p{Greek}", "\\P{Lu}", "\\p{^Greek}", "\\x41", "\\x{10FFFF}", "\\101", "\\0",
    "\\12", "\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\", "\\ ", "\\Qa.b*\\E+", "\\Qunterminated",
    "\\A\\bword\\B\\z", "\\C", "\\a\\f\\t\\n\\r\\v", "^*", ".*", "(|a)", "()", "é+", "[α-ω]",
    ".*\\.example\\.com$",
  ])
  func accepted(pattern: String) {
    #expect(RE2Syntax.error(in: pattern) == nil, "\(pattern)")
  }

  @Test(arguments: [
    ("(a)\\1", "backreferences"),
    ("\\9", "backreferences"),
    ("\\k<name>", "backreferences"),
    ("\\g1", "backreferences"),
    ("(?P<v>a)(?P=v)", "named backreferences"),
    ("(?=a)", "lookahead"),
    ("(?!a)", "lookahead"),
    ("(?<=b)c", "lookbehind"),
    ("(?<!b)c", "lookbehind"),
    ("(?>a)", "atomic"),
    ("a*+", "possessive"),
    ("a++", "possessive"),
    ("a?+", "possessive"),
    ("a{2}+", "possessive"),
    ("a**", "repetition"),
    ("\\Z", "\\Z"),
    ("\\G", "invalid escape"),
    ("\\X", "invalid escape"),
    ("\\R", "invalid escape"),
    ("\\K", "invalid escape"),
    ("\\e", "invalid escape"),
    ("\\cK", "invalid escape"),
    ("\\h", "invalid escape"),
    ("a{1001}", "over RE2's limit"),
    ("a{0,1001}", "over RE2's limit"),
    ("a{99999999999}", "over RE2's limit"),
    ("(a{100}){11}", "multiply"),
    ("((a{10}){10}){11}", "multiply"),
    ("a{5,2}", "maximum below minimum"),
    ("*a", "missing argument"),
    ("(*a)", "missing argument"),
    ("a|*", "missing argument"),
    ("(?i)*", "missing argument"),
    ("(a", "missing )"),
    ("a)", "unexpected )"),
    ("[a", "missing closing ]"),
    ("[z-a]", "character class range"),
    ("[[:bogus:]]", "character class range"),
    ("\\p{Nope1}", "character class range"),
    ("\\pX", "character class range"),
    ("[\\b]", "not allowed in a character class"),
    ("(?#comment)", "comments"),
    ("(?|a|b)", "branch reset"),
    ("(?'n'a)", "named groups"),
    ("(?R)", "not supported by RE2"),
    ("(?1)", "not supported by RE2"),
    ("(?(1)a|b)", "not supported by RE2"),
    ("(?)", "flags"),
    ("(?-)", "flags"),
    ("(?i-)", "flags"),
    ("(?i--s)", "more than one -"),
    ("(?P<>a)", "named capture"),
    ("(?P<a-b>x)", "named capture"),
    ("\\x4", "\\x"),
    ("\\x{110000}", "\\x{...}"),
    ("abc\\", "trailing backslash"),
  ])
  func rejected(pattern: String, reason: String) {
    let error = RE2Syntax.error(in: pattern)
    #expect(error != nil, "\(pattern) was accepted")
    #expect(error?.contains(reason) == true, "\(pattern): \(error ?? "nil")")
  }

  @Test func linearInThePatternLength() {
    let long =
      String(repeating: "(a|b)*", count: 20_000) + String(repeating: "[x-z]", count: 20_000)
    let start = ContinuousClock.now
    #expect(RE2Syntax.error(in: long) == nil)
    #expect(ContinuousClock.now - start < .seconds(2))
  }

  @Test func validatorMessageNamesThePatternAndReason() {
    #expect(
      NameRules.regexError("(a)\\1")
        == "invalid regex \"(a)\\1\": backreferences (\\1) are not supported by RE2")
  }
}
