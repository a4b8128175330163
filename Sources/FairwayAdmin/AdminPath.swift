/// The one canonical spelling of a request path, computed once, before authentication and
/// routing, so both see the same path (a check on the raw path and a router that cleans it
/// up would disagree about `//debug/configz`).
///
/// Like Envoy's `normalize_path` with `merge_slashes`, and `REJECT_REQUEST` for escaped
/// slashes:
/// - `//` collapses to `/`; `.` segments go; `..` removes the segment before it (above the
///   root: rejected); a trailing `/` goes (the root stays `/`).
/// - Percent-encoded unreserved characters (`%41`, `%2e`) are decoded (RFC 3986 6.2.2.2);
///   other escapes are kept, with upper-case hex.
/// - Rejected (400): `%2F`/`%2f` and `%5C` (an encoded separator is ambiguous), a raw `\`,
///   malformed escapes, and targets that are not an absolute path.
/// - Case is kept: routes are case-sensitive, and authentication lets through only an
///   explicit list of public paths, so `/DEBUG/configz` needs the token (and is a 404 with it).
package enum AdminPath: Sendable, Equatable {
  case canonical(String)
  case rejected(reason: String)

  /// Normalizes the path part of a request target (no query string).
  package static func normalize(_ raw: String) -> AdminPath {
    guard raw.hasPrefix("/") else {
      return .rejected(reason: "the request target must be an absolute path")
    }
    var decoded: [UInt8] = []
    decoded.reserveCapacity(raw.utf8.count)
    let bytes = Array(raw.utf8)
    var index = 0
    while index < bytes.count {
      let byte = bytes[index]
      switch byte {
      case UInt8(ascii: "%"):
        guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]),
          let low = hexValue(bytes[index + 2])
        else { return .rejected(reason: "malformed percent-encoding in the path") }
        let value = high << 4 | low
        switch value {
        case UInt8(ascii: "/"), UInt8(ascii: "\\"):
          return .rejected(reason: "percent-encoded slashes (%2F, %5C) are not accepted in paths")
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
          UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
          UInt8(ascii: "_"), UInt8(ascii: "~"):
          decoded.append(value)
        default:
          decoded.append(contentsOf: Array("%\(hexDigit(high))\(hexDigit(low))".utf8))
        }
        index += 3
      case UInt8(ascii: "\\"):
        return .rejected(reason: "backslashes are not accepted in paths")
      default:
        decoded.append(byte)
        index += 1
      }
    }
    var segments: [ArraySlice<UInt8>] = []
    for segment in decoded.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
      if segment.elementsEqual([UInt8(ascii: ".")]) { continue }
      if segment.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
        guard segments.popLast() != nil else {
          return .rejected(reason: "the path climbs above the root with ..")
        }
        continue
      }
      segments.append(segment)
    }
    var path: [UInt8] = []
    for segment in segments {
      path.append(UInt8(ascii: "/"))
      path.append(contentsOf: segment)
    }
    return .canonical(path.isEmpty ? "/" : String(decoding: path, as: UTF8.self))
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
  }

  private static func hexDigit(_ value: UInt8) -> String {
    String(value, radix: 16, uppercase: true)
  }
}
