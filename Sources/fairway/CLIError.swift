import Foundation

/// Prints a message for people on stderr and exits with status 1.
enum CLIError {
  static func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
    exit(1)
  }

  static func warn(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
  }
}
