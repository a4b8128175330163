import ArgumentParser
import FairwayAdmin
import FairwayMesh
import Foundation

/// `fairway apply -f FILE|DIR|-`.
struct Apply: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Create or update configs from files, directories (top-level *.yaml, *.yml, *.json) or stdin."
  )

  @Option(
    name: [.short, .customLong("filename")], help: "File, directory or - for stdin. Repeatable.")
  var files: [String] = []

  @OptionGroup var server: ServerOptions

  func validate() throws {
    if files.isEmpty { throw ValidationError("missing -f FILE|DIR|-") }
  }

  func run() async throws {
    let client = try server.client()
    let inputs: [ConfigFiles.Input]
    do {
      inputs = try ConfigFiles.inputs(for: files)
    } catch {
      CLIError.fail("error: \(error)")
    }
    if inputs.isEmpty {
      CLIError.fail(
        "error: no *.yaml, *.yml or *.json files found in \(files.joined(separator: ", "))")
    }
    var failed = false
    for input in inputs {
      do {
        let response = try await client.apply(input.data, contentType: input.contentType)
        let body = try JSONValue.parse(json: response.body)
        for result in body["results"]?.arrayValue ?? [] {
          let kind = (result["kind"]?.stringValue ?? "").lowercased()
          let name = result["name"]?.stringValue ?? ""
          let namespace = result["namespace"]?.stringValue ?? ""
          let action = result["action"]?.stringValue ?? ""
          print("\(kind).\(ConfigKind.group)/\(name) \(action) (namespace \(namespace))")
        }
        for warning in body["warnings"]?.arrayValue ?? [] {
          CLIError.warn("warning: \(warning.stringValue ?? "")")
        }
      } catch let error as AdminClientError {
        failed = true
        CLIError.warn(
          inputs.count > 1 || input.label != "<stdin>" ? "\(input.label): \(error)" : "\(error)")
      }
    }
    if failed { throw ExitCode.failure }
  }
}
