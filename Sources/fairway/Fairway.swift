import ArgumentParser
import FairwayAPI
import Foundation

/// The `fairway` command: an xDS control plane for Istio networking config.
@main
struct Fairway: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fairway",
    abstract: "An xDS control plane that serves Istio networking config to Envoy and gRPC clients.",
    subcommands: [
      Serve.self, Apply.self, Get.self, Delete.self, Wait.self, ProxyStatus.self, ProxyConfig.self,
      Analyze.self, Bootstrap.self, JournalCommand.self,
    ]
  )

  /// Runs the chosen subcommand and reports a failure once, here. Usage errors exit with
  /// status 1 (ArgumentParser would use 64); a thrown `ExitCode` or `CLIError` keeps its own
  /// status (`analyze`: 79 and 65, `journal check`: 2); help exits 0.
  static func main() async {
    do {
      var command = try parseAsRoot()
      if var asyncCommand = command as? AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      Foundation.exit(report(error))
    }
  }

  /// Prints what `error` says, once, and returns the exit status for it.
  static func report(_ error: any Error) -> Int32 {
    switch error {
    case let error as CLIError:
      CLIError.write(error.description)
      return error.exitCode
    case let error as AdminClientError:
      CLIError.write(error.description)
      return 1
    case let code as ExitCode:
      // Thrown after the command said what it had to (analyze's findings, journal's damage).
      return code.rawValue
    default:
      if exitCode(for: error) == .success { exit(withError: error) }
      let message = fullMessage(for: error)
      if !message.isEmpty { CLIError.write(message) }
      return 1
    }
  }
}
