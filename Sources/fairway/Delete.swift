import ArgumentParser
import FairwayAPI
import FairwayMesh

/// `fairway delete KIND NAME [-n NS]`.
struct Delete: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Delete a config.")

  @Argument(
    help:
      "Kind: virtualservice (vs), destinationrule (dr), serviceentry (se), workloadentry (we), gateway (gw)."
  )
  var kind: ConfigKind

  @Argument(help: "Name.")
  var name: String

  @Option(name: .shortAndLong, help: "Namespace.")
  var namespace: String = "default"

  @Flag(help: "Wait until every connected proxy has acknowledged the deletion.")
  var wait = false

  @OptionGroup var waiting: WaitOptions

  @OptionGroup var server: ServerOptions

  func run() async throws {
    let client = try server.client()
    _ = try await client.delete(kind.resourceType, namespace: namespace, name: name)
    print(
      "\(kind.rawValue.lowercased()).\(ConfigKind.group) \"\(name)\" deleted (namespace \(namespace))"
    )
    // The store's current revision includes the deletion.
    if wait { try await waiting.wait(client: client, revision: nil) }
  }
}
