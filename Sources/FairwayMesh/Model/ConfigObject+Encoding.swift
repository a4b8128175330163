extension ConfigObject {
  /// The object in Kubernetes/istiod shape: `{apiVersion, kind, metadata, spec}`, with
  /// `apiVersion` always `networking.istio.io/v1` and `spec` exactly as applied.
  public var jsonValue: JSONValue {
    var metadataMembers: [String: JSONValue] = [
      "name": .string(key.name),
      "namespace": .string(key.namespace),
    ]
    if !metadata.labels.isEmpty {
      metadataMembers["labels"] = .object(metadata.labels.mapValues { .string($0) })
    }
    if !metadata.annotations.isEmpty {
      metadataMembers["annotations"] = .object(metadata.annotations.mapValues { .string($0) })
    }
    if let resourceVersion = metadata.resourceVersion {
      metadataMembers["resourceVersion"] = .string(resourceVersion)
    }
    if metadata.generation > 0 { metadataMembers["generation"] = .int(metadata.generation) }
    if let created = metadata.creationTimestamp {
      metadataMembers["creationTimestamp"] = .string(created)
    }
    return .object([
      "apiVersion": .string(ConfigKind.preferredAPIVersion),
      "kind": .string(key.kind.rawValue),
      "metadata": .object(metadataMembers),
      "spec": rawSpec,
    ])
  }

  /// Pretty JSON (sorted keys).
  public func jsonString(pretty: Bool = true) -> String { jsonValue.serialized(pretty: pretty) }

  /// YAML as `kubectl get -o yaml` would print it.
  public func yamlString() -> String { jsonValue.yamlString() }
}
