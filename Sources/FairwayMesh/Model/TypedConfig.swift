/// A config with its spec already narrowed to one kind, as snapshots hand it out.
public struct TypedConfig<Spec: Sendable & Equatable>: Sendable, Equatable {
  public let key: ConfigKey
  public let metadata: ConfigMetadata
  public let spec: Spec

  public init(key: ConfigKey, metadata: ConfigMetadata, spec: Spec) {
    self.key = key
    self.metadata = metadata
    self.spec = spec
  }

  public var name: String { key.name }
  public var namespace: String { key.namespace }
}
