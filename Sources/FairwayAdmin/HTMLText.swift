/// Escapes text for HTML element content and quoted attribute values. Every string that
/// reaches the status page from a proxy or a config passes through here: node ids, NACK
/// messages and config names are all chosen by someone else.
enum HTMLText {
  static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text.unicodeScalars {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.unicodeScalars.append(character)
      }
    }
    return out
  }

  /// Percent-encodes one URL path segment (config names are DNS labels, but escape anyway).
  static func pathSegment(_ text: String) -> String {
    let allowed = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"
    var out = ""
    for byte in text.utf8 {
      if let scalar = Unicode.Scalar(UInt32(byte)), byte < 128,
        allowed.unicodeScalars.contains(scalar)
      {
        out.unicodeScalars.append(scalar)
      } else {
        out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
      }
    }
    return out
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
