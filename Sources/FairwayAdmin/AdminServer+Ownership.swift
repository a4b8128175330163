import FairwayMesh
import FairwayStore

extension AdminServer {
  /// Refuses (403) a write through the admin API that would create, replace or delete an
  /// object a config source owns (`fairway.io/managed-by`): the source would overwrite the
  /// edit, or the edit would impersonate the source. Nothing is stored.
  func refuseOwned(_ objects: [ConfigObject]) async throws {
    var details: [AdminError.Detail] = []
    for (index, object) in objects.enumerated() {
      let owner: String?
      if let source = object.metadata.managedBy {
        owner = source
      } else {
        owner = await store.get(object.key)?.metadata.managedBy
      }
      if let owner {
        details.append(Self.ownedDetail(object.key, owner: owner, document: index))
      }
    }
    guard let first = details.first else { return }
    throw AdminError(
      .forbidden,
      "\(details.count == 1 ? "an object is" : "objects are") read-only: \(first.message)",
      details: details)
  }

  /// Refuses (403) deleting an object a config source owns.
  func refuseOwnedDeletion(_ key: ConfigKey) async throws {
    guard let owner = await store.get(key)?.metadata.managedBy else { return }
    let detail = Self.ownedDetail(key, owner: owner, document: nil)
    throw AdminError(.forbidden, "an object is read-only: \(detail.message)", details: [detail])
  }

  private static func ownedDetail(_ key: ConfigKey, owner: String, document: Int?)
    -> AdminError.Detail
  {
    AdminError.Detail(
      document: document.map { "document \($0 + 1): \(key)" } ?? "\(key)",
      field: "metadata.labels.\(ConfigMetadata.managedByLabel)",
      message: "\(key) is managed by \(owner); change it at its source, not through the admin API")
  }
}
