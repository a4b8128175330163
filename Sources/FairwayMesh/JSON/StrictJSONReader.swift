/// Reads a JSON request body into a `JSONValue`, stricter than `JSONDecoder`: a key repeated
/// in one object is an error naming its path (YAML bodies get the same rule), nesting is
/// bounded, and every value and string byte is counted against the body's `ParseBudget`.
///
/// RFC 8259 grammar; the bytes are already known to be valid UTF-8.
struct StrictJSONReader {
  private enum PathItem {
    case key(String)
    case index(Int)
  }

  private let bytes: [UInt8]
  private let maxDepth: Int
  private var budget: ParseBudget
  private var index = 0
  private var path: [PathItem] = []

  init(bytes: [UInt8], maxDepth: Int, budget: ParseBudget) {
    self.bytes = bytes
    self.maxDepth = maxDepth
    self.budget = budget
  }

  mutating func read() throws -> JSONValue {
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    skipWhitespace()
    let value = try readValue(depth: 0)
    skipWhitespace()
    if index < bytes.count { throw error("unexpected text after the JSON value") }
    return value
  }

  private mutating func readValue(depth: Int) throws -> JSONValue {
    guard let byte = peek() else { throw error("unexpected end of input") }
    try budget.spend(values: 1, bytes: 0, document: 1)
    switch byte {
    case UInt8(ascii: "{"):
      return try readObject(depth: depth + 1)
    case UInt8(ascii: "["):
      return try readArray(depth: depth + 1)
    case UInt8(ascii: "\""):
      let text = try readString()
      try budget.spend(values: 0, bytes: text.utf8.count, document: 1)
      return .string(text)
    case UInt8(ascii: "t"):
      try expectLiteral("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expectLiteral("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expectLiteral("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      return try readNumber()
    default:
      throw error("unexpected character '\(Character(Unicode.Scalar(byte)))'")
    }
  }

  private mutating func readObject(depth: Int) throws -> JSONValue {
    try enter(depth: depth)
    var members: [String: JSONValue] = [:]
    skipWhitespace()
    if peek() == UInt8(ascii: "}") {
      index += 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard peek() == UInt8(ascii: "\"") else { throw error("expected a string key") }
      let key = try readString()
      try budget.spend(values: 0, bytes: key.utf8.count, document: 1)
      path.append(.key(key))
      if members[key] != nil {
        throw error("duplicate key \"\(key)\" at \(pathText())")
      }
      skipWhitespace()
      guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after an object key") }
      index += 1
      skipWhitespace()
      members[key] = try readValue(depth: depth)
      path.removeLast()
      skipWhitespace()
      switch peek() {
      case UInt8(ascii: ",")?:
        index += 1
      case UInt8(ascii: "}")?:
        index += 1
        return .object(members)
      default:
        throw error("expected ',' or '}' in an object")
      }
    }
  }

  private mutating func readArray(depth: Int) throws -> JSONValue {
    try enter(depth: depth)
    var items: [JSONValue] = []
    skipWhitespace()
    if peek() == UInt8(ascii: "]") {
      index += 1
      return .array(items)
    }
    while true {
      skipWhitespace()
      path.append(.index(items.count))
      items.append(try readValue(depth: depth))
      path.removeLast()
      skipWhitespace()
      switch peek() {
      case UInt8(ascii: ",")?:
        index += 1
      case UInt8(ascii: "]")?:
        index += 1
        return .array(items)
      default:
        throw error("expected ',' or ']' in an array")
      }
    }
  }

  /// Steps over an opening bracket, refusing nesting deeper than `maxDepth`.
  private mutating func enter(depth: Int) throws {
    if depth > maxDepth {
      throw ConfigParseError(message: "document nests deeper than \(maxDepth) levels", document: 1)
    }
    index += 1
  }

  private mutating func readString() throws -> String {
    index += 1  // opening quote
    var out: [UInt8] = []
    var runStart = index
    while index < bytes.count {
      let byte = bytes[index]
      switch byte {
      case UInt8(ascii: "\""):
        out.append(contentsOf: bytes[runStart..<index])
        index += 1
        return String(decoding: out, as: UTF8.self)
      case UInt8(ascii: "\\"):
        out.append(contentsOf: bytes[runStart..<index])
        index += 1
        try readEscape(into: &out)
        runStart = index
      case 0..<0x20:
        throw error("unescaped control character in a string")
      default:
        index += 1
      }
    }
    throw error("unterminated string")
  }

  private mutating func readEscape(into out: inout [UInt8]) throws {
    guard let byte = peek() else { throw error("unterminated escape") }
    index += 1
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
    case UInt8(ascii: "b"): out.append(0x08)
    case UInt8(ascii: "f"): out.append(0x0C)
    case UInt8(ascii: "n"): out.append(0x0A)
    case UInt8(ascii: "r"): out.append(0x0D)
    case UInt8(ascii: "t"): out.append(0x09)
    case UInt8(ascii: "u"):
      var scalarValue = try readHex4()
      if (0xD800...0xDBFF).contains(scalarValue) {
        guard peek() == UInt8(ascii: "\\"), index + 1 < bytes.count,
          bytes[index + 1] == UInt8(ascii: "u")
        else { throw error("unpaired surrogate in \\u escape") }
        index += 2
        let low = try readHex4()
        guard (0xDC00...0xDFFF).contains(low) else {
          throw error("unpaired surrogate in \\u escape")
        }
        scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
      } else if (0xDC00...0xDFFF).contains(scalarValue) {
        throw error("unpaired surrogate in \\u escape")
      }
      guard let scalar = Unicode.Scalar(scalarValue) else { throw error("invalid \\u escape") }
      out.append(contentsOf: Array(String(Character(scalar)).utf8))
    default:
      throw error("invalid escape '\\\(Character(Unicode.Scalar(byte)))'")
    }
  }

  private mutating func readHex4() throws -> UInt32 {
    guard index + 4 <= bytes.count else { throw error("incomplete \\u escape") }
    var value: UInt32 = 0
    for _ in 0..<4 {
      let byte = bytes[index]
      let digit: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
      default: throw error("invalid hex digit in \\u escape")
      }
      value = value << 4 | UInt32(digit)
      index += 1
    }
    return value
  }

  private mutating func readNumber() throws -> JSONValue {
    let start = index
    var integral = true
    if peek() == UInt8(ascii: "-") { index += 1 }
    guard let first = peek(), isDigit(first) else { throw error("invalid number") }
    if first == UInt8(ascii: "0") {
      index += 1
    } else {
      skipDigits()
    }
    if peek() == UInt8(ascii: ".") {
      integral = false
      index += 1
      guard let next = peek(), isDigit(next) else { throw error("invalid number") }
      skipDigits()
    }
    if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
      integral = false
      index += 1
      if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
      guard let next = peek(), isDigit(next) else { throw error("invalid number") }
      skipDigits()
    }
    let text = String(decoding: bytes[start..<index], as: UTF8.self)
    try budget.spend(values: 0, bytes: text.utf8.count, document: 1)
    if integral, let value = Int64(text) { return .int(value) }
    guard let value = Double(text), value.isFinite else {
      throw error("number \(text.prefix(40)) is out of range")
    }
    return .double(value)
  }

  private mutating func expectLiteral(_ literal: String) throws {
    for expected in literal.utf8 {
      guard peek() == expected else { throw error("invalid literal (expected \(literal))") }
      index += 1
    }
  }

  private mutating func skipDigits() {
    while let byte = peek(), isDigit(byte) { index += 1 }
  }

  private mutating func skipWhitespace() {
    while let byte = peek(),
      byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    {
      index += 1
    }
  }

  private func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
  }

  private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

  private func pathText() -> String {
    var text = ""
    for item in path {
      switch item {
      case .key(let key): text += text.isEmpty ? key : ".\(key)"
      case .index(let position): text += "[\(position)]"
      }
    }
    return text
  }

  /// A parse error at the current position (1-based line and column).
  private func error(_ message: String) -> ConfigParseError {
    var line = 1
    var column = 1
    for byte in bytes[..<min(index, bytes.count)] {
      if byte == 0x0A {
        line += 1
        column = 1
      } else if byte & 0xC0 != 0x80 {
        column += 1
      }
    }
    return ConfigParseError(message: "invalid JSON: \(message)", line: line, column: column)
  }
}
