import ArgumentParser
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

  /// Runs the chosen subcommand. Every failure, usage errors included, exits with
  /// status 1 (ArgumentParser would use 64 for usage errors); help exits 0.
  static func main() async {
    do {
      var command = try parseAsRoot()
      if var asyncCommand = command as? AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      if exitCode(for: error) == .success { exit(withError: error) }
      let message = fullMessage(for: error)
      if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
      Foundation.exit(1)
    }
  }
}
