/// Checks a pattern against RE2's syntax (https://github.com/google/re2/wiki/Syntax), the
/// dialect Envoy compiles `safe_regex` with and Istio validates with (Go's `regexp`).
///
/// A pattern this accepts parses in RE2; what RE2 rejects is refused here with the reason:
/// backreferences, lookaround, atomic groups and possessive repetition, `\Z` and the other
/// escapes RE2 lacks, repetition counts over 1000 (alone or multiplied through nesting),
/// bad flags, unbalanced groups and brackets, inverted ranges. The scan is linear in the
/// pattern. Unicode class names are checked against the general categories; script names
/// are only checked for their shape.
package enum RE2Syntax {
  /// RE2's (and Go's) largest repetition count, which also bounds nested counts' product.
  static let maxRepeat = 1000

  /// Why RE2 rejects `pattern`, or `nil` when it accepts it.
  package static func error(in pattern: String) -> String? {
    var scanner = Scanner(Array(pattern.unicodeScalars))
    do {
      try scanner.run()
      return nil
    } catch let rejection as Rejection {
      return rejection.reason
    } catch {
      return "\(error)"
    }
  }

  struct Rejection: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
  }

  static let generalCategories: Set<String> = [
    "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N",
    "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So",
    "Z", "Zl", "Zp", "Zs", "Any",
  ]

  static let asciiClasses: Set<String> = [
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
  ]

  private struct Scanner {
    /// What the last item was, which decides whether a repetition operator may follow.
    enum Last {
      /// Start of the pattern, of a group, or after `|` or a flag group: nothing to repeat.
      case nothing
      /// An atom; `product` is the largest product of counted repetitions inside it.
      case atom(product: Int)
      /// A repetition operator was just applied: another one is RE2's "bad repetition".
      case repeated
    }

    struct Group {
      var product = 1
    }

    let scalars: [Unicode.Scalar]
    var index = 0
    var last = Last.nothing
    var groups: [Group] = [Group()]

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
      index + offset < scalars.count ? scalars[index + offset] : nil
    }

    mutating func run() throws {
      while let scalar = peek() {
        switch scalar {
        case "\\":
          index += 1
          try escape(inClass: false)
          atom()
        case "(":
          index += 1
          try openGroup()
        case ")":
          index += 1
          guard groups.count > 1, let group = groups.popLast() else {
            throw Rejection("unexpected ) (unbalanced parentheses)")
          }
          last = .atom(product: group.product)
        case "|":
          index += 1
          last = .nothing
        case "*", "+", "?":
          index += 1
          try repetition(count: 1, operator: String(scalar))
        case "{":
          if let (low, high, length) = countedRepetition() {
            index += length
            try repetition(count: max(low, high ?? low), operator: "{...}", low: low, high: high)
          } else {
            index += 1  // RE2 takes a `{` that starts no valid count literally.
            atom()
          }
        case "[":
          index += 1
          try characterClass()
          atom()
        default:
          index += 1
          atom()
        }
      }
      if groups.count > 1 { throw Rejection("missing ) (unbalanced parentheses)") }
    }

    mutating func atom() { last = .atom(product: 1) }

    mutating func repetition(
      count: Int, operator op: String, low: Int? = nil, high: Int? = nil
    ) throws {
      switch last {
      case .nothing:
        throw Rejection("missing argument to repetition operator \(op)")
      case .repeated:
        throw Rejection(
          "bad repetition operator \(op): RE2 has no possessive (*+, ++, ?+) or doubled repetition")
      case .atom(let product):
        if let low, let high, high < low {
          throw Rejection("bad repetition {\(low),\(high)}: maximum below minimum")
        }
        if count > RE2Syntax.maxRepeat {
          throw Rejection("repetition count \(count) is over RE2's limit of \(RE2Syntax.maxRepeat)")
        }
        // Only counted repetitions multiply; RE2 refuses nestings whose product exceeds 1000.
        let counted = low != nil ? count : 1
        let (total, overflow) = product.multipliedReportingOverflow(by: counted)
        if overflow || total > RE2Syntax.maxRepeat {
          throw Rejection(
            "nested repetition counts multiply to more than RE2's limit of \(RE2Syntax.maxRepeat)")
        }
        let top = groups.count - 1
        groups[top].product = max(groups[top].product, total)
        if peek() == "?" { index += 1 }  // non-greedy
        last = .repeated
      }
    }

    /// `{n}`, `{n,}` or `{n,m}` at the current position: (n, m, length). A count over four
    /// digits is still a count (and over the limit), as RE2 reads it.
    func countedRepetition() -> (Int, Int?, Int)? {
      var offset = 1
      func number() -> Int? {
        var value = 0
        var digits = 0
        while let scalar = peek(offset), ("0"..."9").contains(scalar) {
          value = min(value * 10 + Int(scalar.value - 48), 1_000_000)
          digits += 1
          offset += 1
        }
        return digits == 0 ? nil : value
      }
      guard let low = number() else { return nil }
      var high: Int? = low
      if peek(offset) == "," {
        offset += 1
        high = number()  // nil: `{n,}`, no maximum
      }
      guard peek(offset) == "}" else { return nil }
      return (low, high, offset + 1)
    }

    mutating func openGroup() throws {
      if peek() == "?" {
        index += 1
        guard let next = peek() else { throw Rejection("missing ) (unbalanced parentheses)") }
        switch next {
        case ":":
          index += 1
        case "P":
          if peek(1) == "<" {
            index += 2
            try groupName()
          } else if peek(1) == "=" {
            throw Rejection("named backreferences (?P=name) are not supported by RE2")
          } else {
            throw Rejection("recursion (?P>name) is not supported by RE2")
          }
        case "<":
          if peek(1) == "=" || peek(1) == "!" {
            throw Rejection("lookbehind (?<= or (?<! is not supported by RE2")
          }
          index += 1
          try groupName()
        case "=", "!":
          throw Rejection("lookahead (?= or (?! is not supported by RE2")
        case ">":
          throw Rejection("atomic groups (?>...) are not supported by RE2")
        case "#":
          throw Rejection("comments (?#...) are not supported by RE2")
        case "|":
          throw Rejection("branch reset (?|...) is not supported by RE2")
        case "'":
          throw Rejection("named groups (?'name'...) are not supported by RE2; use (?P<name>...)")
        default:
          if try flags() { return }
        }
      }
      groups.append(Group())
      last = .nothing
    }

    /// A capture group's name up to `>`: word characters, at least one.
    mutating func groupName() throws {
      var length = 0
      while let scalar = peek(), scalar != ">" {
        guard scalar.isASCII,
          scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
            || scalar == "_"
        else { throw Rejection("invalid named capture group name") }
        length += 1
        index += 1
      }
      guard peek() == ">", length > 0 else { throw Rejection("invalid named capture group") }
      index += 1
    }

    /// `(?flags)` or `(?flags:`; returns true for the former (no group opened).
    mutating func flags() throws -> Bool {
      var sawFlag = false
      var negated = false
      var sawFlagAfterNegation = false
      while let scalar = peek() {
        index += 1
        switch scalar {
        case "i", "m", "s", "U":
          sawFlag = true
          if negated { sawFlagAfterNegation = true }
        case "-":
          if negated { throw Rejection("invalid flags: more than one -") }
          negated = true
        case ":", ")":
          guard sawFlag, !negated || sawFlagAfterNegation else {
            throw Rejection("invalid or missing flags in (?...)")
          }
          if scalar == ")" {
            last = .nothing
            return true
          }
          return false
        default:
          throw Rejection(
            "(?\(scalar) is not supported by RE2 (lookaround, recursion, conditionals and callouts are not)"
          )
        }
      }
      throw Rejection("missing ) (unbalanced parentheses)")
    }

    /// One escape after a backslash; returns the scalar for single-character escapes (for
    /// class ranges), nil for classes and assertions.
    @discardableResult
    mutating func escape(inClass: Bool) throws -> Unicode.Scalar? {
      guard let scalar = peek() else { throw Rejection("trailing backslash at end of pattern") }
      index += 1
      switch scalar {
      case "1"..."7" where peek().map { ("0"..."7").contains($0) } ?? false,
        "0":
        // Octal: up to three digits in all.
        var value = Int(scalar.value - 48)
        for _ in 0..<2 {
          guard let next = peek(), ("0"..."7").contains(next) else { break }
          value = value * 8 + Int(next.value - 48)
          index += 1
        }
        return Unicode.Scalar(UInt32(value))
      case "1"..."9":
        throw Rejection("backreferences (\\\(scalar)) are not supported by RE2")
      case "x":
        return try hexEscape()
      case "a": return "\u{07}"
      case "f": return "\u{0C}"
      case "t": return "\t"
      case "n": return "\n"
      case "r": return "\r"
      case "v": return "\u{0B}"
      case "d", "D", "s", "S", "w", "W":
        return nil
      case "p", "P":
        try unicodeClass()
        return nil
      case "b", "B", "A", "z":
        if inClass { throw Rejection("\\\(scalar) is not allowed in a character class") }
        return nil
      case "C":
        if inClass { throw Rejection("\\C is not allowed in a character class") }
        return nil
      case "Q":
        if inClass { throw Rejection("\\Q is not allowed in a character class") }
        while index < scalars.count {
          if scalars[index] == "\\", peek(1) == "E" {
            index += 2
            break
          }
          index += 1
        }
        return nil
      case "Z":
        throw Rejection("\\Z is not supported by RE2 (use \\z, or $)")
      case "g", "k":
        throw Rejection("backreferences (\\\(scalar)) are not supported by RE2")
      default:
        if scalar.isASCII && !scalar.properties.isAlphabetic && !("0"..."9").contains(scalar) {
          return scalar  // escaped punctuation (or space) is itself
        }
        throw Rejection("invalid escape sequence \\\(scalar) (not in RE2)")
      }
    }

    mutating func hexEscape() throws -> Unicode.Scalar {
      func hexValue(_ scalar: Unicode.Scalar?) -> UInt32? {
        guard let scalar, scalar.isASCII else { return nil }
        return UInt32(String(scalar), radix: 16)
      }
      if peek() == "{" {
        index += 1
        var value: UInt32 = 0
        var digits = 0
        while let digit = hexValue(peek()) {
          value = min(value &* 16 &+ digit, 0x11_0000)
          digits += 1
          index += 1
        }
        guard peek() == "}", digits > 0, value <= 0x10_FFFF, let scalar = Unicode.Scalar(value)
        else { throw Rejection("invalid escape sequence \\x{...}") }
        index += 1
        return scalar
      }
      guard let high = hexValue(peek()), let low = hexValue(peek(1)),
        let scalar = Unicode.Scalar(high * 16 + low)
      else { throw Rejection("invalid escape sequence \\x (want two hex digits)") }
      index += 2
      return scalar
    }

    mutating func unicodeClass() throws {
      var name: String
      if peek() == "{" {
        index += 1
        name = ""
        while let scalar = peek(), scalar != "}" {
          name.unicodeScalars.append(scalar)
          index += 1
        }
        guard peek() == "}" else { throw Rejection("invalid character class range \\p{...}") }
        index += 1
        if name.hasPrefix("^") { name.removeFirst() }
      } else {
        guard let scalar = peek() else { throw Rejection("invalid character class range \\p") }
        index += 1
        name = String(scalar)
      }
      let isScriptShaped =
        !name.isEmpty
        && name.split(separator: "_", omittingEmptySubsequences: false).allSatisfy { part in
          guard let first = part.unicodeScalars.first, ("A"..."Z").contains(first) else {
            return false
          }
          return part.unicodeScalars.allSatisfy { $0.isASCII && $0.properties.isAlphabetic }
        }
      guard RE2Syntax.generalCategories.contains(name) || (name.count > 2 && isScriptShaped)
      else { throw Rejection("invalid character class range \\p{\(name)}") }
    }

    /// After `[`: the class up to its closing `]`.
    mutating func characterClass() throws {
      if peek() == "^" { index += 1 }
      var first = true
      while true {
        guard let scalar = peek() else { throw Rejection("missing closing ]") }
        if scalar == "]" && !first {
          index += 1
          return
        }
        first = false
        if scalar == "[", peek(1) == ":" {
          if let end = posixClassEnd() {
            var name = String(String.UnicodeScalarView(scalars[(index + 2)..<end]))
            if name.hasPrefix("^") { name.removeFirst() }
            guard RE2Syntax.asciiClasses.contains(name) else {
              throw Rejection("invalid character class range [:\(name):]")
            }
            index = end + 2
            continue
          }
        }
        let low = try classCharacter()
        if peek() == "-", let after = peek(1), after != "]" {
          index += 1
          let high = try classCharacter()
          guard let low, let high else {
            throw Rejection("invalid character class range (a class cannot end a range)")
          }
          if high.value < low.value {
            throw Rejection("invalid character class range \(low)-\(high)")
          }
        }
      }
    }

    /// Index of the `:` that ends a `[:name:]` starting at the current index, if any.
    func posixClassEnd() -> Int? {
      var position = index + 2
      while position + 1 < scalars.count {
        if scalars[position] == ":" && scalars[position + 1] == "]" { return position }
        if scalars[position] == "]" { return nil }
        position += 1
      }
      return nil
    }

    /// One element of a class: its scalar, or nil for `\d`-style classes.
    mutating func classCharacter() throws -> Unicode.Scalar? {
      guard let scalar = peek() else { throw Rejection("missing closing ]") }
      index += 1
      if scalar == "\\" { return try escape(inClass: true) }
      return scalar
    }
  }
}
