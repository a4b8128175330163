import Foundation

/// A failed command: `Fairway.main` prints `description` on stderr once and exits with
/// `exitCode`. Subcommands throw it instead of exiting, so cleanup and tests see the failure.
struct CLIError: Error, CustomStringConvertible {
  var description: String
  var exitCode: Int32

  init(_ message: String, exitCode: Int32 = 1) {
    self.description = message
    self.exitCode = exitCode
  }

  /// A message for people on stderr; the command goes on.
  static func warn(_ message: String) {
    write(message)
  }

  static func write(_ message: String) {
    FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
  }
}
