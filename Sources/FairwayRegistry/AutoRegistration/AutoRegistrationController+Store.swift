import FairwayMesh
import FairwayStore
import Foundation

extension AutoRegistrationController {
  /// Carries one action out against the store, re-checking the stored entry first: another
  /// replica or the admin API may have changed it since the book decided.
  func perform(_ action: RegistrationAction) async {
    do {
      switch action {
      case .register(let request, let connectedAt):
        try await register(request, connectedAt: connectedAt)
      case .markDisconnected(let key, let connectedAt, let time):
        try await markDisconnected(key, connectedAt: connectedAt, at: time)
      case .delete(let key):
        try await deleteIfDisconnected(key)
      case .reportHealth(let key, let healthy, let message):
        try await reportHealth(key, healthy: healthy, message: message)
      }
    } catch {
      logger.warning(
        "auto-registration: store write failed",
        metadata: ["action": "\(action)", "error": "\(error)"])
    }
  }

  /// Slack when comparing a time with its RFC 3339 round trip.
  static let timeSlack: TimeInterval = 1e-6

  private func register(_ request: RegistrationRequest, connectedAt: Date) async throws {
    let instance = configuration.instanceID
    if let existing = await store.get(request.entry) {
      let stored = RegistrationEntry.date(AutoRegistrationAnnotations.connectedAt, of: existing)
      let controller = existing.metadata.annotations[AutoRegistrationAnnotations.controller]
      if controller != instance, let stored, stored > connectedAt + Self.timeSlack {
        // The proxy has connected to another replica since: that one holds it.
        return
      }
      var updated = existing
      updated.metadata = RegistrationEntry.connected(
        existing.metadata, instance: instance, at: connectedAt)
      try await store.apply([RegistrationEntry.validated(updated)])
      logger.info(
        "auto-registration: entry connected",
        metadata: ["entry": "\(request.entry)", "proxy": "\(request.proxyID)"])
      return
    }
    guard let group = await store.get(request.group),
      case .workloadGroup(let spec) = group.spec
    else {
      logger.warning(
        "auto-registration: no such WorkloadGroup",
        metadata: ["group": "\(request.group)", "proxy": "\(request.proxyID)"])
      return
    }
    let entry = try RegistrationEntry.make(
      request, group: TypedConfig(key: group.key, metadata: group.metadata, spec: spec),
      instance: instance, connectedAt: connectedAt)
    try await store.apply([entry])
    logger.info(
      "auto-registration: entry created",
      metadata: ["entry": "\(request.entry)", "proxy": "\(request.proxyID)"])
  }

  private func markDisconnected(_ key: ConfigKey, connectedAt: Date, at time: Date) async throws {
    guard let existing = await store.get(key), RegistrationEntry.isAutoRegistered(existing) else {
      return
    }
    let annotations = existing.metadata.annotations
    if annotations[AutoRegistrationAnnotations.controller] != configuration.instanceID {
      return
    }
    if let stored = RegistrationEntry.date(AutoRegistrationAnnotations.connectedAt, of: existing),
      stored > connectedAt + Self.timeSlack
    {
      return
    }
    var updated = existing
    updated.metadata = RegistrationEntry.disconnected(existing.metadata, at: time)
    try await store.apply([RegistrationEntry.validated(updated)])
  }

  private func deleteIfDisconnected(_ key: ConfigKey) async throws {
    guard let existing = await store.get(key), RegistrationEntry.isAutoRegistered(existing) else {
      return
    }
    let annotations = existing.metadata.annotations
    if annotations[AutoRegistrationAnnotations.connectedAt] != nil,
      annotations[AutoRegistrationAnnotations.controller] != configuration.instanceID
    {
      // Reconnected to another replica within the grace.
      return
    }
    do {
      try await store.delete(key)
      logger.info("auto-registration: entry deleted after the grace", metadata: ["entry": "\(key)"])
    } catch ConfigStoreError.notFound(_) {
      // Another replica's sweep was first.
    }
  }

  private func reportHealth(_ key: ConfigKey, healthy: Bool, message: String?) async throws {
    guard let existing = await store.get(key),
      existing.metadata.annotations[WorkloadHealth.checksEnabledAnnotation] == "true"
    else { return }
    var updated = existing
    updated.metadata.annotations[WorkloadHealth.healthyAnnotation] = healthy ? "true" : "false"
    if healthy {
      updated.metadata.annotations.removeValue(forKey: WorkloadHealth.messageAnnotation)
    } else {
      // Annotation values are free text, but keep them short: a proxy chooses this one.
      updated.metadata.annotations[WorkloadHealth.messageAnnotation] = String(
        (message ?? "").prefix(1024))
    }
    guard updated.metadata != existing.metadata else { return }
    try await store.apply([RegistrationEntry.validated(updated)])
  }
}
