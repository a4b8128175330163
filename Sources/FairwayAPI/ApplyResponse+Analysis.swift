import Foundation

extension ApplyResponse {
  /// One analyzer message about an applied object (`POST /apply?analyze=true`). The keys are
  /// those of `fairway analyze -o json` (istioctl's `code`, `level`, `message`, `origin`,
  /// `documentationUrl`, plus `name`, `field`, `kind`, `namespace`, `resourceName`).
  public struct Analysis: Sendable, Equatable, Codable {
    /// Stable code, e.g. `IST0101`.
    public var code: String
    /// The message type's name, e.g. `ReferencedResourceNotFound`.
    public var name: String
    /// `Error`, `Warning` or `Info`.
    public var level: String
    public var message: String
    /// `VirtualService default/reviews`.
    public var origin: String
    /// Dotted path, e.g. `spec.http[0].route[0].destination.subset`; empty for the object.
    public var field: String
    public var kind: String?
    public var namespace: String?
    public var resourceName: String?
    public var documentationUrl: String?

    public init(
      code: String, name: String, level: String, message: String, origin: String, field: String,
      kind: String? = nil, namespace: String? = nil, resourceName: String? = nil,
      documentationUrl: String? = nil
    ) {
      self.code = code
      self.name = name
      self.level = level
      self.message = message
      self.origin = origin
      self.field = field
      self.kind = kind
      self.namespace = namespace
      self.resourceName = resourceName
      self.documentationUrl = documentationUrl
    }

    /// kubectl's admission-warning line, as `fairway apply` prints it on stderr:
    /// `Warning: IST0101 Error (VirtualService default/reviews) FIELD: TEXT`.
    public var warningLine: String {
      let detail = field.isEmpty ? message : "\(field): \(message)"
      return "Warning: \(code) \(level) (\(origin)) \(detail)"
    }
  }
}
