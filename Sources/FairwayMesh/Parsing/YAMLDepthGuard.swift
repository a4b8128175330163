/// A cheap, conservative pre-scan that rejects YAML nested deeper than a limit before
/// the recursive composer sees it (`[[[[...` or `- - - - ...` a few MiB long would
/// otherwise exhaust the stack).
///
/// It over-estimates: brackets inside quoted or block scalars count too. That only
/// matters for text with hundreds of unclosed brackets, which no config has.
enum YAMLDepthGuard {
  static func check(_ text: String, limit: Int) throws {
    var flowDepth = 0
    var line = 1
    var atLineStart = true
    var indent = 0
    var compactDepth = 0
    var quote: UInt8? = nil
    var previous: UInt8 = 0x0A
    for byte in text.utf8 {
      if byte == 0x0A {
        line += 1
        atLineStart = true
        indent = 0
        compactDepth = 0
        quote = nil
        previous = byte
        continue
      }
      if atLineStart {
        if byte == 0x20 {
          indent += 1
          previous = byte
          continue
        }
        atLineStart = false
      }
      if let open = quote {
        if byte == open { quote = nil }
      } else {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
          if previous == 0x20 || previous == UInt8(ascii: "[") || previous == UInt8(ascii: "{")
            || previous == UInt8(ascii: ",") || previous == UInt8(ascii: ":")
          {
            quote = byte
          }
        case UInt8(ascii: "["), UInt8(ascii: "{"):
          flowDepth += 1
        case UInt8(ascii: "]"), UInt8(ascii: "}"):
          flowDepth = max(0, flowDepth - 1)
        case UInt8(ascii: "-"), UInt8(ascii: "?"):
          if previous == 0x20 || previous == 0x0A { compactDepth += 1 }
        default:
          break
        }
      }
      // Block nesting needs indentation, so indent/2 bounds it from above loosely.
      if flowDepth > limit || compactDepth > limit || indent / 2 > limit * 4 {
        throw ConfigParseError(message: "document nests deeper than \(limit) levels", line: line)
      }
      previous = byte
    }
  }
}
