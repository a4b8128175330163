import Hummingbird

/// Requires `Authorization: Bearer TOKEN` on every mutating call and on `/debug`, `/metrics` and `/`
/// (everything but the public reads) when a token is configured. Reads of `/healthz` stay
/// open so probes need no secret.
struct AdminAuthMiddleware: RouterMiddleware {
  typealias Context = AdminRequestContext

  let token: String

  func handle(
    _ request: Request, context: Context,
    next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    guard Self.needsToken(request) else { return try await next(request, context) }
    guard let header = request.headers[.authorization] else {
      throw AdminError(
        .unauthorized, "authentication required",
        details: [
          .init(field: "Authorization", message: "send Authorization: Bearer <admin token>")
        ])
    }
    let prefix = "Bearer "
    guard header.hasPrefix(prefix),
      Self.constantTimeEqual(String(header.dropFirst(prefix.count)), token)
    else {
      throw AdminError(
        .forbidden, "invalid admin token",
        details: [.init(field: "Authorization", message: "the bearer token does not match")])
    }
    return try await next(request, context)
  }

  /// Everything needs the token except reads of the public paths: health probes and the
  /// Kubernetes-style config reads. An allow-list, so a path spelled in a way no route
  /// serves (other case, a new route) is closed by default. The path is already canonical
  /// (`AdminPathResponder`), the same one the router matches.
  static func needsToken(_ request: Request) -> Bool {
    if request.method != .get && request.method != .head { return true }
    return !isPublic(request.uri.path)
  }

  static func isPublic(_ path: String) -> Bool {
    path.hasPrefix("/healthz/") || path.hasPrefix(AdminServer.apiPrefix + "/")
  }

  /// Compares without an early exit, so response timing does not reveal a matching prefix.
  static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
    let left = Array(lhs.utf8)
    let right = Array(rhs.utf8)
    var difference = UInt8(left.count == right.count ? 0 : 1)
    for index in 0..<max(left.count, right.count) {
      let a = index < left.count ? left[index] : 0
      let b = index < right.count ? right[index] : 0
      difference |= a ^ b
    }
    return difference == 0
  }
}
