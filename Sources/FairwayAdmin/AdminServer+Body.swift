import FairwayMesh
import Foundation
import Hummingbird

extension AdminServer {
  /// Media types accepted on write requests. `text/plain` and curl's default
  /// form-encoding are sniffed, because `curl --data-binary @file.yaml` sends the latter.
  static func contentFormat(of request: Request) throws -> ContentFormat {
    guard let header = request.headers[.contentType] else { return .auto }
    let mediaType =
      header.split(separator: ";", maxSplits: 1).first.map {
        $0.trimmingCharacters(in: .whitespaces).lowercased()
      } ?? ""
    switch mediaType {
    case "application/json", "application/merge-patch+json":
      return .json
    case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml",
      "application/apply-patch+yaml":
      return .yaml
    case "", "text/plain", "application/x-www-form-urlencoded", "application/octet-stream":
      return .auto
    default:
      throw AdminError(
        .unsupportedMediaType, "unsupported content type \"\(header)\"",
        details: [.init(message: "send application/yaml or application/json")])
    }
  }

  /// The body, refusing more than `maxBodyBytes` (413) before reading when
  /// Content-Length says so, and while reading otherwise.
  func readBody(_ request: Request) async throws -> Data {
    let limit = configuration.maxBodyBytes
    if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
      throw AdminError(
        .contentTooLarge, "request body of \(length) bytes exceeds the limit of \(limit) bytes")
    }
    var request = request
    let buffer: ByteBuffer
    do {
      buffer = try await request.collectBody(upTo: limit)
    } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
      throw AdminError(.contentTooLarge, "request body exceeds the limit of \(limit) bytes")
    }
    return Data(buffer.readableBytesView)
  }
}
