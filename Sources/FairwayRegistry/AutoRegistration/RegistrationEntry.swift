import FairwayMesh
import Foundation

/// Builds and updates auto-registered WorkloadEntries as istiod does
/// (`workloadEntryFromGroup`, `setConnectMeta`), validated like anything applied.
enum RegistrationEntry {
  /// The entry for `request` made from `group`'s template, marked connected to `instance`.
  ///
  /// Labels: template, then the group's metadata labels, then the node's (later wins).
  /// Annotations: the group's name, then the group's metadata annotations; health checks are
  /// enabled when the group has a probe.
  ///
  /// - Throws: `ConfigValidationError` when the result is not a valid WorkloadEntry (say a node
  ///   label that is not a valid label value).
  static func make(
    _ request: RegistrationRequest, group: TypedConfig<WorkloadGroup>, instance: String,
    connectedAt: Date
  ) throws -> ConfigObject {
    var spec = group.spec.template ?? WorkloadEntry()
    spec.address = request.address
    var labels = spec.labels ?? [:]
    labels.merge(group.spec.metadata?.labels ?? [:]) { _, new in new }
    labels.merge(request.labels) { _, new in new }
    spec.labels = labels.isEmpty ? nil : labels
    if let network = request.network { spec.network = network }
    if let locality = request.locality { spec.locality = locality }

    var annotations = [AutoRegistrationAnnotations.group: group.name]
    annotations.merge(group.spec.metadata?.annotations ?? [:]) { _, new in new }
    annotations[AutoRegistrationAnnotations.managedBy] = AutoRegistrationAnnotations.managedByValue
    if group.spec.probe != nil {
      annotations[WorkloadHealth.checksEnabledAnnotation] = "true"
    }
    let metadata = connected(
      ConfigMetadata(labels: labels, annotations: annotations), instance: instance, at: connectedAt)
    let object = ConfigObject(
      key: request.entry, apiVersion: ConfigKind.preferredAPIVersion, metadata: metadata,
      spec: .workloadEntry(spec), rawSpec: try JSONValue(encoding: spec))
    return try validated(object)
  }

  /// `metadata` marked connected to `instance` at `time`: no `disconnectedAt`.
  static func connected(_ metadata: ConfigMetadata, instance: String, at time: Date)
    -> ConfigMetadata
  {
    var metadata = metadata
    metadata.annotations[AutoRegistrationAnnotations.controller] = instance
    metadata.annotations[AutoRegistrationAnnotations.connectedAt] = RFC3339Nano.format(time)
    metadata.annotations.removeValue(forKey: AutoRegistrationAnnotations.disconnectedAt)
    return metadata
  }

  /// `metadata` marked disconnected at `time`: no `connectedAt`.
  static func disconnected(_ metadata: ConfigMetadata, at time: Date) -> ConfigMetadata {
    var metadata = metadata
    metadata.annotations.removeValue(forKey: AutoRegistrationAnnotations.connectedAt)
    metadata.annotations[AutoRegistrationAnnotations.disconnectedAt] = RFC3339Nano.format(time)
    return metadata
  }

  /// `object` decoded and validated again from its JSON form, as the admin API would take it,
  /// without a resourceVersion precondition.
  static func validated(_ object: ConfigObject) throws -> ConfigObject {
    var object = object
    object.metadata.resourceVersion = nil
    let parsed = try ConfigParser().objects(from: [object.jsonValue])
    guard let result = parsed.objects.first else {
      throw ConfigValidationError(issues: [])
    }
    return result
  }

  /// Whether `object` is an auto-registered WorkloadEntry (istiod: it names its group).
  static func isAutoRegistered(_ object: ConfigObject) -> Bool {
    object.kind == .workloadEntry
      && !(object.metadata.annotations[AutoRegistrationAnnotations.group] ?? "").isEmpty
  }

  static func date(_ annotation: String, of object: ConfigObject) -> Date? {
    object.metadata.annotations[annotation].flatMap(RFC3339Nano.parse)
  }
}
