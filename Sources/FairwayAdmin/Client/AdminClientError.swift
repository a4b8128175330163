import FairwayMesh
import Foundation

/// Errors of `AdminClient`, with messages meant for people.
public enum AdminClientError: Error, Sendable, CustomStringConvertible {
  /// The server could not be reached or answered garbage.
  case transport(String)
  /// The server answered with an error status; `body` is its JSON error.
  case api(status: Int, body: Data)

  public var description: String {
    switch self {
    case .transport(let message):
      return "error: \(message)"
    case .api(let status, let body):
      guard let value = try? JSONValue.parse(json: body), let message = value["error"]?.stringValue
      else {
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(
          in: .whitespacesAndNewlines)
        return "error: HTTP \(status)" + (text.isEmpty ? "" : ": \(text)")
      }
      var lines = ["error: \(message) (HTTP \(status))"]
      for detail in value["details"]?.arrayValue ?? [] {
        var location: [String] = []
        if let document = detail["document"]?.stringValue { location.append(document) }
        if let field = detail["field"]?.stringValue { location.append(field) }
        if let line = detail["line"]?.intValue {
          location.append(
            "line \(line)" + (detail["column"]?.intValue.map { ", column \($0)" } ?? ""))
        }
        let text = detail["message"]?.stringValue ?? ""
        // The summary often is the single detail already; do not say it twice.
        if (value["details"]?.arrayValue?.count ?? 0) == 1 && message.contains(text) { continue }
        lines.append(
          "  - " + (location.isEmpty ? text : "\(location.joined(separator: ": ")): \(text)"))
      }
      if let omitted = value["omittedDetails"]?.intValue, omitted > 0 {
        lines.append("  ... and \(omitted) more")
      }
      return lines.joined(separator: "\n")
    }
  }

  /// The HTTP status, for API errors.
  public var status: Int? {
    if case .api(let status, _) = self { return status }
    return nil
  }
}
