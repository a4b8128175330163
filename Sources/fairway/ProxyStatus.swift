import ArgumentParser
import FairwayAPI
import FairwayAnalyze
import Foundation

/// `fairway proxy-status [PROXY_ID] [-o json]`: the sync state of every connected stream,
/// read from `/debug/syncz`, printed like `istioctl proxy-status`.
struct ProxyStatus: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "proxy-status",
    abstract: "Show whether each connected proxy has acknowledged its latest config.",
    discussion: """
      SYNCED: the last response of that type was ACKed. STALE: sent, not yet answered.
      ERROR: the proxy NACKed it (pass PROXY_ID to see the message). NOT SENT: nothing sent.
      """)

  enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
  }

  @Argument(help: "Show one proxy (node id) in detail, with its NACK messages.")
  var proxyID: String?

  @Option(name: .shortAndLong, help: "Output format: table or json.")
  var output: OutputFormat = .table

  @OptionGroup var server: ServerOptions

  func run() async throws {
    let entries = try await server.client().syncz()
    var selected = entries
    if let proxyID {
      selected = entries.filter { $0.proxy == proxyID }
      if selected.isEmpty { throw CLIError("error: no connected proxy with id \(proxyID)") }
    }
    let now = Date()
    switch output {
    case .json:
      let data = try APICoding.encode(selected.map { Row($0, now: now) })
      print(String(decoding: data, as: UTF8.self))
    case .table:
      if selected.isEmpty {
        CLIError.warn("No proxies connected.")
        return
      }
      print(Self.table(selected, now: now))
      if proxyID != nil {
        for entry in selected { print("\n" + Self.detail(entry, now: now)) }
      }
    }
  }

  static func table(_ entries: [SyncStatus], now: Date) -> String {
    var rows = [
      ["NAME", "CLUSTER"] + SyncStatus.columns.map(\.name) + ["STREAM", "VERSION", "AGE"]
    ]
    for entry in entries {
      rows.append(
        [entry.proxy, entry.clusterID]
          + SyncStatus.columns.map { entry.state($0.typeURL) }
          + [
            entry.streamKind, entry.istioVersion.isEmpty ? "-" : entry.istioVersion,
            Self.age(since: entry.lastPush, now: now),
          ])
    }
    return TextTable.render(rows)
  }

  /// Per type: state, nonces and versions, and the last NACK's message.
  static func detail(_ entry: SyncStatus, now: Date) -> String {
    var lines = [
      "Proxy \(entry.proxy) (connection \(entry.connectionID), \(entry.streamKind), "
        + "\(entry.proxyType))"
    ]
    var rows = [["TYPE", "STATE", "SENT VERSION", "ACKED VERSION", "NACKS", "LAST PUSH"]]
    var errors: [String] = []
    for (name, typeURL) in SyncStatus.columns {
      let status = entry.xds[typeURL]
      rows.append([
        name, entry.state(typeURL), status?.sentVersion ?? "", status?.ackedVersion ?? "",
        String(status?.nacks ?? 0),
        Self.age(since: status.flatMap { APICoding.date($0.sentTime) }, now: now),
      ])
      if let status, !status.lastError.isEmpty {
        errors.append("\(name) NACK (nonce \(status.lastErrorNonce ?? "?")): \(status.lastError)")
      }
    }
    lines.append(TextTable.render(rows, indent: "  "))
    lines += errors.isEmpty ? ["  No NACKs."] : errors.map { "  " + $0 }
    return lines.joined(separator: "\n")
  }

  /// kubectl's short ages: 42s, 7m, 3h, 2d.
  static func age(since date: Date?, now: Date) -> String {
    guard let date else { return "never" }
    let seconds = max(0, Int(now.timeIntervalSince(date)))
    switch seconds {
    case ..<120: return "\(seconds)s"
    case ..<7200: return "\(seconds / 60)m"
    case ..<172_800: return "\(seconds / 3600)h"
    default: return "\(seconds / 86400)d"
    }
  }
}
