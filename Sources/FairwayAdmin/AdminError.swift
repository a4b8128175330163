import FairwayAPI
import FairwayMesh
import FairwayStore
import Foundation
import Hummingbird

/// An API error, always answered as JSON `{"error": "...", "details": [...]}`.
package struct AdminError: Error, HTTPResponseError, Sendable {
  /// One item of `details`: a located problem.
  package typealias Detail = ErrorBody.Detail

  package var status: HTTPResponse.Status
  package var message: String
  package var details: [Detail]
  /// Details beyond `maxDetails`, counted but not sent.
  package var omittedDetails: Int
  /// Answer with `Connection: close` and close once sent (a body left unread).
  var closesConnection = false

  /// At most this many details go in a body; the rest are only counted.
  package static let maxDetails = 100
  /// Longest text echoed in a message or field; longer text is cut with its size.
  static let maxEchoedCharacters = 256

  /// Keeps the body small whatever the request held: texts are clipped (a bad host can be
  /// megabytes) and details capped, with `omittedDetails` counting the rest.
  package init(_ status: HTTPResponse.Status, _ message: String, details: [Detail] = []) {
    self.status = status
    self.message = Self.clip(message)
    self.details = details.prefix(Self.maxDetails).map { detail in
      var detail = detail
      detail.message = Self.clip(detail.message)
      detail.field = detail.field.map(Self.clip)
      detail.document = detail.document.map(Self.clip)
      return detail
    }
    self.omittedDetails = max(0, details.count - Self.maxDetails)
  }

  /// `text` cut to `maxEchoedCharacters`, with "... (N bytes)" naming its full size.
  static func clip(_ text: String) -> String {
    guard text.utf8.count > maxEchoedCharacters else { return text }
    // Scalars, not Characters: one Character can hold any number of combining scalars.
    let kept = String(String.UnicodeScalarView(text.unicodeScalars.prefix(maxEchoedCharacters)))
    return "\(kept)... (\(text.utf8.count) bytes)"
  }

  /// The JSON body.
  package var body: ErrorBody {
    ErrorBody(
      error: message, code: Int(status.code), details: details, omittedDetails: omittedDetails)
  }

  package func response(from request: Request, context: some RequestContext) throws -> Response {
    httpResponse
  }

  /// The response carrying this error.
  var httpResponse: Response {
    var response: Response
    do {
      response = try AdminResponse.json(encoding: body, status: status)
    } catch {
      // Strings and integers always encode; this only keeps the status if that ever changes.
      response = Response(status: status)
    }
    if closesConnection { response.headers[.connection] = "close" }
    return response
  }
}

extension AdminError {
  /// Maps any error thrown while handling a request to the API's error shape.
  static func from(_ error: any Error) -> AdminError {
    switch error {
    case let error as AdminError:
      return error
    case let error as ConfigParseError:
      return AdminError(
        .badRequest, error.description,
        details: [
          Detail(
            document: error.document.map { "document \($0)" }, line: error.line,
            column: error.column,
            message: error.message)
        ])
    case let error as ConfigValidationError:
      let documents = Set(error.issues.map(\.document)).count
      let first = error.issues.first.map { ": \($0.description)" } ?? ""
      let summary =
        error.issues.count == 1
        ? "invalid config\(first)"
        : "\(error.issues.count) problems in \(documents) document\(documents == 1 ? "" : "s")\(first)"
      var adminError = AdminError(
        .unprocessableContent, summary,
        details: error.issues.prefix(maxDetails).map {
          Detail(
            document: $0.document, field: $0.fieldPath.isEmpty ? nil : $0.fieldPath,
            message: $0.message)
        })
      adminError.omittedDetails = max(0, error.issues.count - maxDetails)
      return adminError
    case let error as DocumentIssues:
      return from(ConfigValidationError(issues: error.issues))
    case let error as ConfigStoreError:
      switch error {
      case .conflict(let key, _, _):
        return AdminError(
          .conflict, error.description,
          details: [
            Detail(
              document: key.description, field: "metadata.resourceVersion",
              message: error.description)
          ])
      case .notFound(let key):
        return AdminError(
          .notFound, error.description,
          details: [Detail(document: key.description, message: "not found")])
      case .notStored, .unavailable:
        // The journal could not make the change durable (full disk, I/O error): retryable.
        return AdminError(.serviceUnavailable, error.description)
      }
    case let error as HTTPError:
      return AdminError(error.status, error.body ?? error.status.reasonPhrase)
    case let error as any HTTPResponseError:
      // Includes NIO's "too many bytes" error from collecting an oversized body (413).
      let message =
        error.status == .contentTooLarge ? "request body is too large" : error.status.reasonPhrase
      return AdminError(error.status, message)
    default:
      return AdminError(.internalServerError, "internal error: \(error)")
    }
  }
}
