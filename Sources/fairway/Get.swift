import ArgumentParser
import FairwayAPI
import FairwayMesh
import Foundation

/// `fairway get KIND [NAME] [-n NS] [-o yaml|json]`.
struct Get: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Show configs.")

  enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case yaml, json, table
  }

  @Argument(
    help:
      "Kind: virtualservice (vs), destinationrule (dr), serviceentry (se), workloadentry (we), gateway (gw)."
  )
  var kind: ConfigKind

  @Argument(help: "Name; lists all of the kind when omitted.")
  var name: String?

  @Option(name: .shortAndLong, help: "Namespace.")
  var namespace: String = "default"

  @Flag(name: [.customShort("A"), .long], help: "List across all namespaces.")
  var allNamespaces = false

  @Option(name: .shortAndLong, help: "Output format: yaml, json or table.")
  var output: OutputFormat = .table

  @OptionGroup var server: ServerOptions

  func run() async throws {
    let client = try server.client()
    let namespace: String? = (allNamespaces && name == nil) ? nil : self.namespace
    let response = try await client.get(
      kind.resourceType, namespace: namespace, name: name, yaml: output == .yaml)
    guard output == .table else {
      FileHandle.standardOutput.write(response.body)
      return
    }
    let body = try JSONValue.parse(json: response.body)
    let items = name == nil ? (body["items"]?.arrayValue ?? []) : [body]
    if items.isEmpty {
      CLIError.warn(
        namespace.map { "No \(kind.plural) found in namespace \($0)." }
          ?? "No \(kind.plural) found.")
      return
    }
    print(Self.table(items))
  }

  static func table(_ items: [JSONValue]) -> String {
    var rows = [["NAMESPACE", "NAME", "HOSTS", "RESOURCEVERSION", "CREATED"]]
    for item in items {
      let metadata = item["metadata"]
      let spec = item["spec"]
      var hosts = spec?["hosts"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ",") ?? ""
      if hosts.isEmpty { hosts = spec?["host"]?.stringValue ?? spec?["address"]?.stringValue ?? "" }
      rows.append([
        metadata?["namespace"]?.stringValue ?? "", metadata?["name"]?.stringValue ?? "", hosts,
        metadata?["resourceVersion"]?.stringValue ?? "",
        metadata?["creationTimestamp"]?.stringValue ?? "",
      ])
    }
    let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
      row.enumerated().map { index, cell in
        index == row.count - 1
          ? cell : cell.padding(toLength: widths[index] + 3, withPad: " ", startingAt: 0)
      }.joined()
    }.joined(separator: "\n")
  }
}
