import ArgumentParser
import FairwayAPI
import FairwayAnalyze
import FairwayMesh
import Foundation

/// `fairway analyze [-f FILE|DIR ...] [--live]`: cross-object checks, like `istioctl analyze`.
struct Analyze: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Find mistakes across configs: in files, in the live store, or in files applied on top of it.",
    discussion: """
      Each message names a stable code (Istio's IST codes where Istio has the check, FW codes \
      for Fairway's own), the object, the file and the field, and says what is wrong:

        Error [IST0101] (VirtualService default/reviews reviews.yaml) FIELD: TEXT

      Files are read exactly as `fairway apply` reads them; a document apply would refuse is \
      reported as IST0106 (SchemaValidationError). With no -f, the live store is analyzed \
      (GET /debug/configz); with -f and --live, the files replace the live objects of the same \
      kind, namespace and name, as if applied.

      Exit status, as istioctl's: 79 when a message is at or above --failure-threshold, else 65 \
      when a file could not be parsed, 1 on other failures (server unreachable), 0 otherwise.

      Examples:
        fairway analyze                              # the live store
        fairway analyze -f Examples/                 # files only, offline
        fairway analyze -f change.yaml --live        # a change before applying it
        fairway analyze -f mesh.yaml -o json --failure-threshold Warning
        fairway analyze --list-analyzers
      """)

  enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, log, json, yaml
  }

  @Option(
    name: [.short, .customLong("filename")],
    help: "File or directory (top-level *.yaml, *.yml, *.json) to analyze. Repeatable.",
    completion: .file(extensions: ["yaml", "yml", "json"]))
  var files: [String] = []

  @Flag(help: "Analyze the live store too: with -f, the files are applied on top of it.")
  var live = false

  @Option(name: .shortAndLong, help: "Output format: text (istioctl's log), json or yaml.")
  var output: OutputFormat = .text

  @Option(help: "The severity at which to exit 79: Error, Warning or Info.")
  var failureThreshold: Severity = .error

  @Option(help: "The lowest severity to print: Error, Warning or Info.")
  var outputThreshold: Severity = .info

  @Flag(name: [.customShort("L"), .long], help: "List the analyzers and their codes, and exit.")
  var listAnalyzers = false

  @OptionGroup var server: ServerOptions

  /// istioctl's exit codes.
  static let foundIssuesExitCode: Int32 = 79
  static let fileParseExitCode: Int32 = 65

  func run() async throws {
    if listAnalyzers {
      print(Self.analyzerList())
      return
    }
    var input = AnalysisInput()
    let useLive = live || files.isEmpty
    if useLive { try await readLive(into: &input) }
    var parseErrors = 0
    if !files.isEmpty {
      for file in try ConfigFiles.readInputs(for: files) {
        do {
          try input.add(
            file.data, format: file.contentType == "application/json" ? .json : .auto,
            source: file.label == "<stdin>"
              ? nil : URL(fileURLWithPath: file.label).lastPathComponent)
        } catch {
          parseErrors += 1
          CLIError.warn("Error: failed to parse \(file.label): \(error)")
        }
      }
    }
    let messages = input.analyze()
    let shown = messages.filter { $0.severity >= outputThreshold }
    let target =
      files.isEmpty
      ? "the live store" : useLive ? "the files on top of the live store" : "the files"
    switch output {
    case .text, .log:
      if shown.isEmpty {
        CLIError.warn("\u{2714} No validation issues found when analyzing \(target).")
      } else {
        write(shown.map(\.line).joined(separator: "\n") + "\n")
      }
    case .json:
      write(JSONValue.array(shown.map(\.jsonValue)).serialized(pretty: true) + "\n")
    case .yaml:
      write(JSONValue.array(shown.map(\.jsonValue)).yamlString())
    }
    if messages.contains(where: { $0.severity >= failureThreshold }) {
      throw ExitCode(Self.foundIssuesExitCode)
    }
    if parseErrors > 0 { throw ExitCode(Self.fileParseExitCode) }
  }

  private func write(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
  }

  /// Every stored config, from `/debug/configz`.
  private func readLive(into input: inout AnalysisInput) async throws {
    let documents = try await server.client().get(JSONValue.self, path: "/debug/configz")
    guard let documents = documents.arrayValue else {
      throw CLIError("error: /debug/configz from \(server.server) is not a JSON array")
    }
    input.add(documents: documents, source: nil)
  }

  static func analyzerList() -> String {
    var rows = [["ANALYZER", "CODES", "CHECKS"]]
    for analyzer in Analyzers.all {
      rows.append([
        analyzer.name,
        analyzer.messageTypes.map { "\($0.code) \($0.name) (\($0.severity.rawValue))" }
          .joined(separator: ", "),
        analyzer.summary,
      ])
    }
    return TextTable.render(rows)
  }
}

extension Severity: ExpressibleByArgument {
  public init?(argument: String) { self.init(userInput: argument) }

  public static var allValueStrings: [String] { ["Error", "Warning", "Info"] }

  public var defaultValueDescription: String { rawValue }
}
