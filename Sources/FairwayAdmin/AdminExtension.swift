import Hummingbird

/// The request context of every admin route.
public typealias AdminRequestContext = BasicRequestContext

/// Adds routes to the admin server, e.g. `/debug/syncz` from the xDS side.
///
/// Routes registered here run behind the same error middleware as the built-in ones:
/// throw `AdminError` (or any error) and the client gets the JSON error shape.
public protocol AdminExtension: Sendable {
  func registerRoutes(on router: Router<AdminRequestContext>)
}

/// An `AdminExtension` from a closure:
/// `AdminRoutes { router in router.get("/debug/syncz") { _, _ in ... } }`.
package struct AdminRoutes: AdminExtension {
  private let register: @Sendable (Router<AdminRequestContext>) -> Void

  package init(_ register: @escaping @Sendable (Router<AdminRequestContext>) -> Void) {
    self.register = register
  }

  package func registerRoutes(on router: Router<AdminRequestContext>) {
    register(router)
  }
}
