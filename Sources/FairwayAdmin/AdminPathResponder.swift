import Hummingbird

/// Puts every request through `AdminPath` before the router (and so before the token check,
/// which runs as router middleware): a rejected path gets 400, a non-canonical one is
/// rewritten, so authentication and routing read the same path.
struct AdminPathResponder<Inner: HTTPResponder>: HTTPResponder
where Inner.Context == AdminRequestContext {
  let inner: Inner

  func respond(to request: Request, context: AdminRequestContext) async throws -> Response {
    let target = request.head.path ?? ""
    let (path, query) = Self.split(target)
    switch AdminPath.normalize(path) {
    case .rejected(let reason):
      let error = AdminError(
        .badRequest, "invalid request path", details: [.init(field: "path", message: reason)])
      return error.httpResponse
    case .canonical(let canonical) where canonical == path:
      return try await inner.respond(to: request, context: context)
    case .canonical(let canonical):
      var head = request.head
      head.path = canonical + query
      return try await inner.respond(to: Request(head: head, body: request.body), context: context)
    }
  }

  /// The path and the query string (with its `?`, or empty).
  static func split(_ target: String) -> (String, String) {
    guard let mark = target.firstIndex(of: "?") else { return (target, "") }
    return (String(target[..<mark]), String(target[mark...]))
  }
}
