import Foundation

/// One ZooKeeper server: `HOST:PORT`.
public struct ZooKeeperEndpoint: Equatable, Hashable, Sendable, CustomStringConvertible {
  public var host: String
  public var port: Int

  public init(host: String, port: Int) {
    self.host = host
    self.port = port
  }

  public var description: String { "\(host):\(port)" }

  public struct ParseError: Error, CustomStringConvertible, Sendable {
    public var description: String
  }

  /// `HOST:PORT[,HOST:PORT...]`; a missing port is 2181. IPv6 hosts in brackets.
  public static func parseList(_ text: String) throws -> [ZooKeeperEndpoint] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: true)
    guard !parts.isEmpty else {
      throw ParseError(description: "no ZooKeeper server in \"\(text)\"")
    }
    return try parts.map { part in
      let item = part.trimmingCharacters(in: .whitespaces)
      var host = Substring(item)
      var port = 2181
      if item.hasPrefix("["), let close = item.firstIndex(of: "]") {
        host = item[item.index(after: item.startIndex)..<close]
        let rest = item[item.index(after: close)...]
        if rest.hasPrefix(":") {
          guard let number = Int(rest.dropFirst()) else {
            throw ParseError(description: "bad port in \"\(item)\"")
          }
          port = number
        }
      } else if let colon = item.lastIndex(of: ":") {
        host = item[..<colon]
        guard let number = Int(item[item.index(after: colon)...]) else {
          throw ParseError(description: "bad port in \"\(item)\"")
        }
        port = number
      }
      guard !host.isEmpty, (1...65535).contains(port) else {
        throw ParseError(description: "bad server \"\(item)\" (HOST:PORT, port 1-65535)")
      }
      return ZooKeeperEndpoint(host: String(host), port: port)
    }
  }
}
