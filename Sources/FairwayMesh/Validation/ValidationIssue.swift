/// One problem found in one document, named the way istiod's webhook names it.
public struct ValidationIssue: Sendable, Equatable, Codable, CustomStringConvertible {
  /// `VirtualService default/reviews`, or `document 3` when kind or name are unknown.
  public var document: String
  /// Dotted JSON path, e.g. `spec.http[0].route[1].weight`; empty for the whole document.
  public var fieldPath: String
  public var message: String

  public init(document: String, fieldPath: String, message: String) {
    self.document = document
    self.fieldPath = fieldPath
    self.message = message
  }

  public var description: String {
    fieldPath.isEmpty ? "\(document): \(message)" : "\(document): \(fieldPath): \(message)"
  }
}
