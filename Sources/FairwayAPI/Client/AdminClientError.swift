import Foundation

/// Errors of `AdminClient`, with messages meant for people.
public enum AdminClientError: Error, Sendable, CustomStringConvertible {
  /// The server could not be reached or answered garbage.
  case transport(String)
  /// The server answered with an error status; `body` is its JSON error.
  case api(status: Int, body: Data)
  /// A 2xx answer that is not the JSON the path returns (another server on the port, a
  /// version mismatch).
  case malformed(path: String, server: String, reason: String)

  public var description: String {
    switch self {
    case .transport(let message):
      return "error: \(message)"
    case .malformed(let path, let server, let reason):
      return "error: unexpected \(path) answer from \(server): \(reason)"
    case .api(let status, let body):
      guard let error = try? APICoding.decode(ErrorBody.self, from: body) else {
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(
          in: .whitespacesAndNewlines)
        return "error: HTTP \(status)" + (text.isEmpty ? "" : ": \(text)")
      }
      var lines = ["error: \(error.error) (HTTP \(status))"]
      for detail in error.details {
        // The summary often is the single detail already; do not say it twice.
        if error.details.count == 1 && error.error.contains(detail.message) { continue }
        var location: [String] = []
        if let document = detail.document { location.append(document) }
        if let field = detail.field { location.append(field) }
        if let line = detail.line {
          location.append("line \(line)" + (detail.column.map { ", column \($0)" } ?? ""))
        }
        lines.append(
          "  - "
            + (location.isEmpty
              ? detail.message : "\(location.joined(separator: ": ")): \(detail.message)"))
      }
      if error.omittedDetails > 0 {
        lines.append("  ... and \(error.omittedDetails) more")
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
