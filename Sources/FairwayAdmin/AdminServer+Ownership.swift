import FairwayMesh
import FairwayStore

extension AdminServer {
  /// Refuses (403) a write through the admin API that would create, replace or delete an
  /// object a config source owns (`ConfigOwnership`), or that claims a source's mark itself.
  /// Nothing is stored when it throws.
  func refuseOwned(_ objects: [ConfigObject]) async throws {
    var details: [AdminError.Detail] = []
    for (index, object) in objects.enumerated() {
      let owned: (owner: String, field: String)?
      if let claimed = ConfigOwnership.owner(of: object) {
        owned = claimed
      } else if let stored = await store.get(object.key) {
        owned = ConfigOwnership.owner(of: stored)
      } else {
        owned = nil
      }
      if let owned {
        details.append(Self.ownedDetail(object.key, owned, document: index))
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
    guard let stored = await store.get(key), let owned = ConfigOwnership.owner(of: stored) else {
      return
    }
    let detail = Self.ownedDetail(key, owned, document: nil)
    throw AdminError(.forbidden, "an object is read-only: \(detail.message)", details: [detail])
  }

  private static func ownedDetail(
    _ key: ConfigKey, _ owned: (owner: String, field: String), document: Int?
  ) -> AdminError.Detail {
    AdminError.Detail(
      document: document.map { "document \($0 + 1): \(key)" } ?? "\(key)",
      field: owned.field,
      message:
        "\(key) is managed by \(owned.owner); change it at its source, not through the admin API")
  }
}
