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

  /// Bytes of an oversized body read and discarded before answering 413, so a client that
  /// writes its whole body before reading (Python's urllib) gets the answer; past this the
  /// connection is closed instead.
  static let maxDrainBytes = 64 * 1024 * 1024

  /// The body, refusing more than `maxBodyBytes` with 413. An oversized body is read to its
  /// end and discarded first (up to `maxDrainBytes`): a client blocked writing it would not
  /// see a 413 sent while it writes. Beyond that the 413 closes the connection.
  func readBody(_ request: Request) async throws -> Data {
    let limit = configuration.maxBodyBytes
    let declared = request.headers[.contentLength].flatMap { Int($0) }
    if let declared, declared > limit, declared > Self.maxDrainBytes {
      var error = AdminError(
        .contentTooLarge, "request body of \(declared) bytes exceeds the limit of \(limit) bytes")
      error.closesConnection = true
      throw error
    }
    var collected = ByteBuffer()
    var total = 0
    for try await chunk in request.body {
      total += chunk.readableBytes
      if total <= limit {
        var chunk = chunk
        collected.writeBuffer(&chunk)
      } else if total > Self.maxDrainBytes {
        var error = AdminError(
          .contentTooLarge, "request body exceeds the limit of \(limit) bytes")
        error.closesConnection = true
        throw error
      }
    }
    if total > limit {
      throw AdminError(
        .contentTooLarge, "request body of \(total) bytes exceeds the limit of \(limit) bytes")
    }
    return Data(collected.readableBytesView)
  }
}
