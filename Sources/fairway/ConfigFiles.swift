import Foundation

/// Finds and reads config files for `apply -f` and `serve --config-dir`.
enum ConfigFiles {
  static let extensions: Set<String> = ["yaml", "yml", "json"]

  /// One readable input: a file's bytes and a label for messages.
  struct Input {
    var label: String
    var data: Data
    var contentType: String?
  }

  /// Expands `-` (stdin), files and directories (their top-level `*.yaml`, `*.yml`,
  /// `*.json`, sorted; not recursive) into inputs.
  static func inputs(for paths: [String]) throws -> [Input] {
    var inputs: [Input] = []
    for path in paths {
      if path == "-" {
        inputs.append(
          Input(
            label: "<stdin>", data: FileHandle.standardInput.readDataToEndOfFile(), contentType: nil
          ))
        continue
      }
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw ConfigFileError("\(path): no such file or directory")
      }
      let files = isDirectory.boolValue ? try directoryFiles(path) : [path]
      for file in files {
        guard let data = FileManager.default.contents(atPath: file) else {
          throw ConfigFileError("\(file): cannot read file")
        }
        inputs.append(Input(label: file, data: data, contentType: contentType(for: file)))
      }
    }
    return inputs
  }

  /// `inputs(for:)` for a command: a bad path ends it with the path's problem.
  static func readInputs(for paths: [String]) throws -> [Input] {
    do {
      return try inputs(for: paths)
    } catch {
      throw CLIError("error: \(error)")
    }
  }

  static func directoryFiles(_ directory: String) throws -> [String] {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory)
    } catch {
      throw ConfigFileError("\(directory): cannot list directory: \(error.localizedDescription)")
    }
    let base = URL(fileURLWithPath: directory)
    return names.filter {
      extensions.contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) && !$0.hasPrefix(".")
    }
    .sorted()
    .map { base.appendingPathComponent($0).path }
    .filter { path in
      var isDirectory: ObjCBool = false
      return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        && !isDirectory.boolValue
    }
  }

  static func contentType(for path: String) -> String {
    URL(fileURLWithPath: path).pathExtension.lowercased() == "json"
      ? "application/json" : "application/yaml"
  }
}

/// A problem with an input file, printed as is.
struct ConfigFileError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
