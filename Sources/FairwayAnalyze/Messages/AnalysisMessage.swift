import FairwayMesh

/// One finding: what kind, which object and field, and what is wrong.
public struct AnalysisMessage: Sendable, Hashable {
  public let type: MessageType
  /// The object, when the document had a kind, namespace and name.
  public let origin: ConfigKey?
  /// `VirtualService default/reviews`, or `document 3` for a document without identity.
  public let resource: String
  /// Dotted JSON path, e.g. `spec.http[0].route[1].destination.subset`; empty for the object.
  public let field: String
  public let text: String
  /// The file the object came from, when analyzing files.
  public var source: String?

  public init(
    _ type: MessageType, _ origin: ConfigKey, field: String, _ text: String, source: String? = nil
  ) {
    self.type = type
    self.origin = origin
    self.resource = origin.description
    self.field = field
    self.text = text
    self.source = source
  }

  public init(
    _ type: MessageType, resource: String, field: String, _ text: String, source: String? = nil
  ) {
    self.type = type
    self.origin = nil
    self.resource = resource
    self.field = field
    self.text = text
    self.source = source
  }

  public var severity: Severity { type.severity }

  /// istioctl's log line: `Error [IST0101] (VirtualService default/reviews) FIELD: TEXT`, with
  /// the file after the resource when known.
  public var line: String {
    let place = source.map { "\(resource) \($0)" } ?? resource
    let detail = field.isEmpty ? text : "\(field): \(text)"
    return "\(severity.rawValue) [\(type.code)] (\(place)) \(detail)"
  }

  /// istioctl's JSON shape (`code`, `level`, `message`, `origin`, `documentationUrl`) plus the
  /// parts Fairway knows separately: `name`, `field`, `kind`, `namespace`, `resourceName`, `source`.
  public var jsonValue: JSONValue {
    var members: [String: JSONValue] = [
      "code": .string(type.code), "name": .string(type.name),
      "level": .string(severity.rawValue), "message": .string(text),
      "origin": .string(resource), "field": .string(field),
    ]
    if let url = type.documentationURL { members["documentationUrl"] = .string(url) }
    if let origin {
      members["kind"] = .string(origin.kind.rawValue)
      members["namespace"] = .string(origin.namespace)
      members["resourceName"] = .string(origin.name)
    }
    if let source { members["source"] = .string(source) }
    return .object(members)
  }
}
