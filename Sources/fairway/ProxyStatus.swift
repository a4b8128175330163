import ArgumentParser
import FairwayAdmin
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
    let client = try server.client()
    let entries: [SyncEntry]
    do {
      let response = try await client.checked(
        method: "GET", path: "/debug/syncz", accept: "application/json")
      entries = try JSONDecoder().decode([SyncEntry].self, from: response.body)
    } catch let error as AdminClientError {
      CLIError.fail("\(error)")
    } catch {
      CLIError.fail("error: unexpected /debug/syncz answer from \(server.server): \(error)")
    }
    var selected = entries
    if let proxyID {
      selected = entries.filter { $0.proxy == proxyID }
      if selected.isEmpty { CLIError.fail("error: no connected proxy with id \(proxyID)") }
    }
    let now = Date()
    switch output {
    case .json:
      let data = try JSONSerialization.data(
        withJSONObject: selected.map { Self.json($0, now: now) },
        options: [.prettyPrinted, .sortedKeys])
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

  static func table(_ entries: [SyncEntry], now: Date) -> String {
    var rows = [
      ["NAME", "CLUSTER"] + SyncEntry.columns.map(\.name) + ["STREAM", "VERSION", "AGE"]
    ]
    for entry in entries {
      rows.append(
        [entry.proxy ?? "", entry.clusterID ?? ""]
          + SyncEntry.columns.map { entry.state($0.typeURL) }
          + [
            entry.streamKind ?? "",
            (entry.istioVersion ?? "").isEmpty ? "-" : entry.istioVersion ?? "",
            SyncEntry.age(since: entry.lastPush, now: now),
          ])
    }
    return TextTable.render(rows)
  }

  /// Per type: state, nonces and versions, and the last NACK's message.
  static func detail(_ entry: SyncEntry, now: Date) -> String {
    var lines = [
      "Proxy \(entry.proxy ?? "") (connection \(entry.connectionID ?? "?"), \(entry.streamKind ?? "?"), "
        + "\(entry.proxyType ?? "?"))"
    ]
    var rows = [["TYPE", "STATE", "SENT VERSION", "ACKED VERSION", "NACKS", "LAST PUSH"]]
    var errors: [String] = []
    for (name, typeURL) in SyncEntry.columns {
      let status = entry.status(typeURL)
      rows.append([
        name, entry.state(typeURL), status?.sentVersion ?? "", status?.ackedVersion ?? "",
        String(status?.nacks ?? 0),
        SyncEntry.age(since: status?.sentTime.flatMap(SyncEntry.parseTime), now: now),
      ])
      if let message = status?.lastError, !message.isEmpty {
        errors.append("\(name) NACK (nonce \(status?.lastErrorNonce ?? "?")): \(message)")
      }
    }
    lines.append(TextTable.render(rows, indent: "  "))
    lines += errors.isEmpty ? ["  No NACKs."] : errors.map { "  " + $0 }
    return lines.joined(separator: "\n")
  }

  static func json(_ entry: SyncEntry, now: Date) -> [String: Any] {
    var types: [String: Any] = [:]
    for (name, typeURL) in SyncEntry.columns {
      let status = entry.status(typeURL)
      var item: [String: Any] = [
        "state": entry.state(typeURL), "sentVersion": status?.sentVersion ?? "",
        "ackedVersion": status?.ackedVersion ?? "", "nacks": status?.nacks ?? 0,
      ]
      if let message = status?.lastError, !message.isEmpty { item["lastError"] = message }
      if let time = status?.sentTime, !time.isEmpty { item["lastPush"] = time }
      types[name.lowercased()] = item
    }
    var json: [String: Any] = [
      "name": entry.proxy ?? "", "cluster": entry.clusterID ?? "", "stream": entry.streamKind ?? "",
      "connectionId": entry.connectionID ?? "", "type": entry.proxyType ?? "",
      "version": entry.istioVersion ?? "", "age": SyncEntry.age(since: entry.lastPush, now: now),
      "xds": types,
    ]
    if let last = entry.lastPush {
      json["lastPushSecondsAgo"] = max(0, now.timeIntervalSince(last))
    }
    return json
  }
}
