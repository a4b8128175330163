import ArgumentParser
import FairwayAPI
import FairwayMesh
import Foundation

/// `fairway apply -f FILE|DIR|-`.
struct Apply: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Create or update configs from files, directories (top-level *.yaml, *.yml, *.json) or stdin.",
    discussion: """
      Prints the store revision of what it applied. With --wait, returns once every connected
      proxy has acknowledged it (exit 0), or names the proxies that rejected it (exit 2) or
      did not answer in time (exit 1): see `fairway wait --help`.

      Examples:
        fairway apply -f reviews.yaml
        fairway apply -f mesh/ --wait --timeout 10s
      """)

  @Option(
    name: [.short, .customLong("filename")], help: "File, directory or - for stdin. Repeatable.")
  var files: [String] = []

  @Flag(help: "Wait until every connected proxy has acknowledged the change.")
  var wait = false

  @OptionGroup var waiting: WaitOptions

  @OptionGroup var server: ServerOptions

  func validate() throws {
    if files.isEmpty { throw ValidationError("missing -f FILE|DIR|-") }
  }

  func run() async throws {
    let client = try server.client()
    let inputs = try ConfigFiles.readInputs(for: files)
    if inputs.isEmpty {
      throw CLIError(
        "error: no *.yaml, *.yml or *.json files found in \(files.joined(separator: ", "))")
    }
    var failed = false
    var revision: Int64 = 0
    for input in inputs {
      do {
        let response = try await client.apply(input.data, contentType: input.contentType)
        revision = max(revision, response.revision)
        for result in response.results {
          print(
            "\(result.kind.lowercased()).\(ConfigKind.group)/\(result.name) \(result.action) (namespace \(result.namespace))"
          )
        }
        for warning in response.warnings {
          CLIError.warn("warning: \(warning)")
        }
      } catch let error as AdminClientError {
        failed = true
        CLIError.warn(
          inputs.count > 1 || input.label != "<stdin>" ? "\(input.label): \(error)" : "\(error)")
      }
    }
    if failed { throw ExitCode.failure }
    print("revision \(revision)")
    if wait { try await waiting.wait(client: client, revision: revision) }
  }
}
