import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Syntax rules for names, hosts, labels and addresses, as Kubernetes and Istio apply them.
package enum NameRules {
  /// A DNS-1123 label: 1-63 lower-case alphanumerics or '-', alphanumeric at both ends.
  static func isDNS1123Label(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    guard !bytes.isEmpty, bytes.count <= 63 else { return false }
    return isLabelBytes(bytes, allowUpper: false, allowUnderscore: false)
  }

  /// A DNS-1123 subdomain: dot-separated labels, at most 253 characters.
  package static func isDNS1123Subdomain(_ text: String) -> Bool {
    guard !text.isEmpty, text.utf8.count <= 253 else { return false }
    return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy {
      isDNS1123Label(String($0))
    }
  }

  /// A host name as Istio accepts in `hosts` and `destination.host`: DNS labels (either
  /// case), optionally starting with `*.`, or `*` alone when `allowBareWildcard`.
  static func isWildcardDomain(_ text: String, allowBareWildcard: Bool = true) -> Bool {
    if text == "*" { return allowBareWildcard }
    var host = Substring(text)
    if host.hasPrefix("*.") { host = host.dropFirst(2) }
    if host.hasSuffix(".") { host = host.dropLast() }
    return isHostname(String(host))
  }

  /// A plain host name (no wildcard): dot-separated labels, either case, at most 255.
  package static func isHostname(_ text: String) -> Bool {
    guard !text.isEmpty, text.utf8.count <= 255 else { return false }
    return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy {
      let bytes = Array($0.utf8)
      return !bytes.isEmpty && bytes.count <= 63
        && isLabelBytes(bytes, allowUpper: true, allowUnderscore: false)
    }
  }

  /// Kubernetes label key: optional DNS-subdomain prefix and `/`, then a name of at most
  /// 63 characters (alphanumerics, '-', '_', '.', alphanumeric at both ends).
  package static func isLabelKey(_ text: String) -> Bool {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    switch parts.count {
    case 1: return isQualifiedNamePart(String(parts[0]))
    case 2: return isDNS1123Subdomain(String(parts[0])) && isQualifiedNamePart(String(parts[1]))
    default: return false
    }
  }

  /// Kubernetes label value: empty, or a name of at most 63 characters.
  package static func isLabelValue(_ text: String) -> Bool {
    text.isEmpty || isQualifiedNamePart(text)
  }

  private static func isQualifiedNamePart(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    guard !bytes.isEmpty, bytes.count <= 63 else { return false }
    guard isAlnum(bytes[0]), let last = bytes.last, isAlnum(last) else { return false }
    return bytes.allSatisfy {
      isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
    }
  }

  private static func isLabelBytes(_ bytes: [UInt8], allowUpper: Bool, allowUnderscore: Bool)
    -> Bool
  {
    func ok(_ byte: UInt8) -> Bool {
      (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
        || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        || (allowUpper && byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
    guard let first = bytes.first, let last = bytes.last, ok(first), ok(last) else { return false }
    return bytes.allSatisfy {
      ok($0) || $0 == UInt8(ascii: "-") || (allowUnderscore && $0 == UInt8(ascii: "_"))
    }
  }

  private static func isAlnum(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
      || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
      || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
  }

  /// An IPv4 or IPv6 address (no prefix length).
  package static func isIPAddress(_ text: String) -> Bool {
    isIPv4(text) || isIPv6(text)
  }

  /// A dotted-quad IPv4 address.
  static func isIPv4(_ text: String) -> Bool {
    var address = in_addr()
    return !text.isEmpty && !text.utf8.contains(0) && inet_pton(AF_INET, text, &address) == 1
  }

  /// An IPv6 address.
  package static func isIPv6(_ text: String) -> Bool {
    var address = in6_addr()
    return !text.isEmpty && !text.utf8.contains(0) && inet_pton(AF_INET6, text, &address) == 1
  }

  /// An IP address or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`).
  static func isIPOrCIDR(_ text: String) -> Bool {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    switch parts.count {
    case 1:
      return isIPAddress(text)
    case 2:
      let address = String(parts[0])
      guard parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let bits = Int(parts[1]) else {
        return false
      }
      if isIPv4(address) { return (0...32).contains(bits) }
      if isIPv6(address) { return (0...128).contains(bits) }
      return false
    default:
      return false
    }
  }

  /// Why `pattern` is not a regular expression RE2 accepts (Envoy compiles `safe_regex`
  /// with RE2, Istio validates with Go's RE2-syntax `regexp`), or nil when it is.
  package static func regexError(_ pattern: String) -> String? {
    guard let reason = RE2Syntax.error(in: pattern) else { return nil }
    return "invalid regex \"\(pattern)\": \(reason)"
  }
}
