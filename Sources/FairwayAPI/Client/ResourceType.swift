/// A collection of the admin REST API: `/apis/{apiVersion}[/namespaces/{ns}]/{plural}`.
public struct ResourceType: Sendable, Equatable {
  /// Group and version, e.g. `networking.istio.io/v1`.
  public var apiVersion: String
  /// The lower-case plural, e.g. `virtualservices`.
  public var plural: String

  public init(apiVersion: String, plural: String) {
    self.apiVersion = apiVersion
    self.plural = plural
  }
}
