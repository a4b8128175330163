/// One stored Istio config: identity, metadata and spec.
///
/// `rawSpec` is the spec exactly as applied, unknown fields included, and is what the
/// API returns; `spec` is the typed view translation reads. Both are decoded once, at
/// apply time, so snapshots never re-decode.
public struct ConfigObject: Sendable, Equatable {
  public var key: ConfigKey
  /// The apiVersion the object was submitted with. Output always uses
  /// `ConfigKind.preferredAPIVersion`.
  public var apiVersion: String
  public var metadata: ConfigMetadata
  public var spec: ConfigSpec
  public var rawSpec: JSONValue

  public init(
    key: ConfigKey, apiVersion: String, metadata: ConfigMetadata, spec: ConfigSpec,
    rawSpec: JSONValue
  ) {
    self.key = key
    self.apiVersion = apiVersion
    self.metadata = metadata
    self.spec = spec
    self.rawSpec = rawSpec
  }

  public var kind: ConfigKind { key.kind }
  public var namespace: String { key.namespace }
  public var name: String { key.name }

  /// True when `other` carries the same user-supplied content (spec, labels and
  /// annotations); server-set metadata is ignored. Applying such an object is a no-op.
  public func hasSameContent(as other: ConfigObject) -> Bool {
    rawSpec == other.rawSpec && metadata.labels == other.metadata.labels
      && metadata.annotations == other.metadata.annotations
  }
}
