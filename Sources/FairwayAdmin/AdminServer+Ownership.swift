import FairwayMesh
import Hummingbird

extension AdminServer {
  /// Refuses a write through the admin API to configs another source owns (see
  /// `ConfigOwnership`): applying, replacing or deleting one, or claiming the annotation.
  /// Nothing is stored when it throws (409 with the object named).
  func refuseOwned(_ objects: [ConfigObject]) async throws {
    var details: [AdminError.Detail] = []
    for object in objects {
      let document = "\(object.key)"
      if let claimed = ConfigOwnership.source(of: object) {
        details.append(
          .init(
            document: document,
            field: "metadata.annotations[\(ConfigOwnership.sourceAnnotation)]",
            message:
              "is set by the config source that owns an object (\(claimed)); the admin API cannot set it"
          ))
      } else if let stored = await store.get(object.key),
        let owner = ConfigOwnership.source(of: stored)
      {
        details.append(Self.ownedDetail(document: document, owner: owner))
      }
    }
    if !details.isEmpty {
      throw AdminError(
        .conflict, "objects owned by a config source are read-only", details: details)
    }
  }

  /// Refuses deleting `key` when a config source owns it.
  func refuseOwned(_ key: ConfigKey) async throws {
    guard let stored = await store.get(key), let owner = ConfigOwnership.source(of: stored) else {
      return
    }
    throw AdminError(
      .conflict, "objects owned by a config source are read-only",
      details: [Self.ownedDetail(document: "\(key)", owner: owner)])
  }

  private static func ownedDetail(document: String, owner: String) -> AdminError.Detail {
    .init(
      document: document, field: "metadata.annotations[\(ConfigOwnership.sourceAnnotation)]",
      message: "owned by \(owner); change it at its source")
  }
}
