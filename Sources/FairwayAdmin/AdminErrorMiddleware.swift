import Hummingbird

/// Turns every error (ours, Hummingbird's 404/413, parse and store errors) into the JSON
/// error shape, so clients never see a plain-text error.
struct AdminErrorMiddleware<Context: RequestContext>: RouterMiddleware {
  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws
    -> Response
  {
    do {
      return try await next(request, context)
    } catch {
      return AdminError.from(error).httpResponse
    }
  }
}
