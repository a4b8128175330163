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

      With --analyze, the server runs `fairway analyze`'s analyzers over the store after the
      apply and returns the messages about the applied objects; they are printed on stderr
      like kubectl's admission warnings (Warning: IST0101 Error (VirtualService ...) ...) and
      never change the exit status.

      Examples:
        fairway apply -f reviews.yaml
        fairway apply -f reviews.yaml --analyze
        fairway apply -f mesh/ --wait --timeout 10s
      """)

  @Option(
    name: [.short, .customLong("filename")], help: "File, directory or - for stdin. Repeatable.")
  var files: [String] = []

  @Flag(help: "Wait until every connected proxy has acknowledged the change.")
  var wait = false

  @Flag(help: "Print the analyzers' messages about the applied objects (never fails the apply).")
  var analyze = false

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
        let response = try await client.apply(
          input.data, contentType: input.contentType, analyze: analyze)
        revision = max(revision, response.revision)
        for result in response.results {
          print(
            "\(result.kind.lowercased()).\(ConfigKind.group)/\(result.name) \(result.action) (namespace \(result.namespace))"
          )
        }
        for warning in response.warnings {
          CLIError.warn("warning: \(warning)")
        }
        for message in response.analysis ?? [] {
          CLIError.warn(message.warningLine)
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
