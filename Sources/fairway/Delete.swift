import ArgumentParser
import FairwayAPI
import FairwayMesh

/// `fairway delete KIND NAME [-n NS]`.
struct Delete: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Delete a config.")

  @Argument(
    help: "Kind: virtualservice (vs), destinationrule (dr), serviceentry (se), workloadentry (we).")
  var kind: ConfigKind

  @Argument(help: "Name.")
  var name: String

  @Option(name: .shortAndLong, help: "Namespace.")
  var namespace: String = "default"

  @OptionGroup var server: ServerOptions

  func run() async throws {
    let client = try server.client()
    _ = try await client.delete(kind.resourceType, namespace: namespace, name: name)
    print(
      "\(kind.rawValue.lowercased()).\(ConfigKind.group) \"\(name)\" deleted (namespace \(namespace))"
    )
  }
}
