/// Istio host name rules: short names are relative to the namespace of the config that wrote
/// them, and `*.example.com` style wildcards match any deeper name.
public enum HostName {
  /// The DNS suffix Istio assumes for Kubernetes-style short names.
  public static let domainSuffix = "svc.cluster.local"

  /// Resolves a host as written in a config of `namespace` to its fully qualified form:
  /// `reviews` in `default` becomes `reviews.default.svc.cluster.local`, anything with a dot or
  /// a wildcard is kept as written. Case is kept too: Dubbo interface names
  /// (`mosn.io.dubbo.DemoService`) are hosts, and they are case-sensitive.
  public static func resolve(_ host: String, namespace: String) -> String {
    if host.isEmpty || host.contains(".") || host.hasPrefix("*") { return host }
    return "\(host.lowercased()).\(namespace).\(domainSuffix)"
  }

  /// True when `pattern` (exact or `*`, `*.suffix`) covers `host`.
  public static func matches(pattern: String, host: String) -> Bool {
    if pattern == host || pattern == "*" { return true }
    guard pattern.hasPrefix("*") else { return false }
    return host.hasSuffix(pattern.dropFirst())
  }

  /// How specific a pattern is: exact names beat wildcards, longer wildcards beat shorter.
  public static func specificity(of pattern: String) -> Int {
    pattern.hasPrefix("*") ? pattern.count : Int.max
  }

  /// True for a literal IPv4 or IPv6 address (grpc endpoints must be IPs, never names).
  public static func isIPAddress(_ text: String) -> Bool {
    isIPv4(text) || isIPv6(text)
  }

  /// Dotted quad, scanned without allocating (it runs for every endpoint).
  static func isIPv4(_ text: String) -> Bool {
    var octets = 0
    var digits = 0
    var value = 0
    for byte in text.utf8 {
      if byte == UInt8(ascii: ".") {
        guard digits > 0 else { return false }
        octets += 1
        digits = 0
        value = 0
      } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
        digits += 1
        value = value * 10 + Int(byte - UInt8(ascii: "0"))
        guard digits <= 3, value <= 255 else { return false }
      } else {
        return false
      }
    }
    return octets == 3 && digits > 0
  }

  /// Whether `text` is an IPv6 address (an embedded IPv4 tail allowed).
  public static func isIPv6(_ text: String) -> Bool {
    guard text.contains(":"), text.count <= 45 else { return false }
    var groups = text.split(separator: ":", omittingEmptySubsequences: false)
    // An embedded IPv4 tail (`::ffff:1.2.3.4`) counts as two groups.
    if let last = groups.last, last.contains(".") {
      guard isIPv4(String(last)) else { return false }
      groups.removeLast()
      groups.append("0")
      groups.append("0")
    }
    let compressions = text.components(separatedBy: "::").count - 1
    guard compressions <= 1 else { return false }
    let nonEmpty = groups.filter { !$0.isEmpty }
    guard nonEmpty.allSatisfy({ $0.count <= 4 && $0.allSatisfy(\.isHexDigit) }) else {
      return false
    }
    return compressions == 1 ? nonEmpty.count < 8 : (groups.count == 8 && nonEmpty.count == 8)
  }
}
