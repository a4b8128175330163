import FairwayMesh
import Foundation

/// One provider as Dubbo registers it in ZooKeeper: the child name under
/// `/dubbo/<interface>/providers` is the URL-encoded
/// `dubbo://IP:PORT/INTERFACE?application=..&interface=..&methods=a,b&version=..&group=..&weight=..&side=provider&timestamp=..`.
public struct DubboProviderURL: Equatable, Sendable {
  /// The znode name as registered (still encoded).
  public var node: String
  public var host: String
  public var port: Int
  /// The URL's path: the interface Dubbo registered under.
  public var path: String
  /// Every query parameter, percent-decoded once with the URL.
  public var parameters: [String: String]

  /// The `interface` parameter, or the path when absent.
  public var interface: String { parameters["interface"] ?? path }
  public var application: String? { parameters["application"] }
  public var version: String? { parameters["version"].flatMap { $0.isEmpty ? nil : $0 } }
  public var group: String? { parameters["group"].flatMap { $0.isEmpty ? nil : $0 } }
  public var side: String? { parameters["side"] }
  public var methods: [String] {
    parameters["methods"].map { $0.split(separator: ",").map(String.init) } ?? []
  }
  /// Dubbo's load-balancing weight; Dubbo's default is 100.
  public var weight: Int
  /// Registration time in milliseconds since 1970, when given and numeric.
  public var timestamp: Int64? { parameters["timestamp"].flatMap { Int64($0) } }

  /// Longest znode name accepted.
  public static let maxLength = 16 * 1024
  public static let defaultWeight = 100

  public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooLong(Int)
    case badEncoding
    case unsupportedProtocol(String)
    case badHost(String)
    case badPort(String)
    case missingInterface
    case badInterface(String)
    case notProvider(side: String)
    case badWeight(String)

    public var description: String {
      switch self {
      case .tooLong(let length):
        "provider URL of \(length) bytes (at most \(DubboProviderURL.maxLength))"
      case .badEncoding: "provider URL is not percent-encoded text"
      case .unsupportedProtocol(let scheme): "protocol \"\(scheme)\" is not dubbo"
      case .badHost(let host): "host \"\(host)\" is not an IP address"
      case .badPort(let port): "port \"\(port)\" is not in 1-65535"
      case .missingInterface: "no interface (path or interface=)"
      case .badInterface(let name): "interface \"\(name)\" is not usable as a host name"
      case .notProvider(let side): "side=\(side), not provider"
      case .badWeight(let weight): "weight \"\(weight)\" is not an integer in 0-\(Int32.max)"
      }
    }
  }

  /// Parses a child name of a providers node.
  public static func parse(_ node: String) throws(ParseError) -> DubboProviderURL {
    guard node.utf8.count <= maxLength else { throw .tooLong(node.utf8.count) }
    guard let url = node.removingPercentEncoding else { throw .badEncoding }
    guard let schemeEnd = url.range(of: "://") else { throw .unsupportedProtocol("") }
    let scheme = String(url[..<schemeEnd.lowerBound])
    guard scheme == "dubbo" else { throw .unsupportedProtocol(scheme) }
    let rest = url[schemeEnd.upperBound...]
    let queryStart = rest.firstIndex(of: "?") ?? rest.endIndex
    let beforeQuery = rest[..<queryStart]
    let slash = beforeQuery.firstIndex(of: "/") ?? beforeQuery.endIndex
    let authority = beforeQuery[..<slash]
    let path = beforeQuery[slash...].drop { $0 == "/" }
    let (host, portText) = try splitAuthority(authority)
    guard isIPAddress(host) else { throw .badHost(host) }
    guard let port = Int(portText), (1...65535).contains(port) else { throw .badPort(portText) }

    var parameters: [String: String] = [:]
    if queryStart < rest.endIndex {
      for pair in rest[rest.index(after: queryStart)...].split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard let key = parts.first, !key.isEmpty else { continue }
        parameters[String(key)] = parts.count > 1 ? String(parts[1]) : ""
      }
    }
    var provider = DubboProviderURL(
      node: node, host: host, port: port, path: String(path), parameters: parameters,
      weight: defaultWeight)
    guard !provider.interface.isEmpty else { throw .missingInterface }
    guard NameRules.isHostname(provider.interface) else { throw .badInterface(provider.interface) }
    if let side = provider.side, !side.isEmpty, side != "provider" {
      throw .notProvider(side: side)
    }
    if let text = parameters["weight"] {
      guard let weight = Int(text), (0...Int(Int32.max)).contains(weight) else {
        throw .badWeight(text)
      }
      provider.weight = weight
    }
    return provider
  }

  private static func splitAuthority(_ authority: Substring) throws(ParseError) -> (String, String)
  {
    if authority.hasPrefix("[") {
      guard let close = authority.firstIndex(of: "]") else { throw .badHost(String(authority)) }
      let host = authority[authority.index(after: authority.startIndex)..<close]
      let rest = authority[authority.index(after: close)...]
      guard rest.hasPrefix(":") else { throw .badPort(String(rest)) }
      return (String(host), String(rest.dropFirst()))
    }
    guard let colon = authority.lastIndex(of: ":") else { throw .badPort("") }
    return (String(authority[..<colon]), String(authority[authority.index(after: colon)...]))
  }

  /// IPv4 dotted quad or IPv6 (what Dubbo registers: never a host name).
  static func isIPAddress(_ text: String) -> Bool {
    var v4 = in_addr()
    var v6 = in6_addr()
    return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
  }
}
