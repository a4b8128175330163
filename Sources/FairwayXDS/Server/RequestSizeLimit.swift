import GRPCCore

/// The request size limit both request deserializers enforce, with a status that says why (the
/// transport's own limit, kept above this one, would only reset the stream).
enum RequestSizeLimit {
  static func check(_ count: Int, maxBytes: Int, messageName: String) throws {
    guard count <= maxBytes else {
      throw RPCError(
        code: .resourceExhausted,
        message: "\(messageName) of \(count) bytes exceeds the limit of \(maxBytes) bytes")
    }
  }
}
