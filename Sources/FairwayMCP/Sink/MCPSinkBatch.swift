import FairwayMesh

/// What one full-set response changes in the store for one collection: relative to the
/// objects of that kind the source already owns there, the creates and updates (marked as
/// owned) and the deletes. Pure, so it can be judged before anything is written.
public struct MCPSinkBatch: Sendable, Equatable {
  /// Objects to apply (new or changed), each annotated with the source.
  public var upserts: [ConfigObject]
  /// Objects the source owned that its new set no longer has.
  public var deletes: [ConfigKey]

  /// The batch that makes the store's objects of this kind owned by `source` equal `incoming`.
  ///
  /// - Parameters:
  ///   - incoming: the decoded, validated response (one kind).
  ///   - stored: every stored object of that kind.
  /// - Throws: `MCPSinkProblem` when the set names an object twice, or names one the store
  ///   holds from another owner (the admin API or another source): it is not taken over.
  public static func plan(incoming: [ConfigObject], stored: [ConfigObject], source: String)
    throws(MCPSinkProblem) -> MCPSinkBatch
  {
    var storedByKey: [ConfigKey: ConfigObject] = [:]
    for object in stored { storedByKey[object.key] = object }
    var seen: Set<ConfigKey> = []
    var upserts: [ConfigObject] = []
    for (index, object) in incoming.enumerated() {
      guard seen.insert(object.key).inserted else {
        throw MCPSinkProblem(
          "resources[\(index)]: \(object.key) appears more than once in the response")
      }
      var owned = object
      owned.metadata.annotations[ConfigOwnership.sourceAnnotation] = source
      if let current = storedByKey[object.key] {
        let owner = ConfigOwnership.source(of: current)
        guard owner == source else {
          throw MCPSinkProblem(
            "resources[\(index)]: \(object.key) already exists, owned by \(owner ?? "the admin API"); not taken over"
          )
        }
        if current.hasSameContent(as: owned) { continue }
      }
      upserts.append(owned)
    }
    let deletes = stored.filter {
      ConfigOwnership.source(of: $0) == source && !seen.contains($0.key)
    }.map(\.key).sorted()
    return MCPSinkBatch(upserts: upserts, deletes: deletes)
  }

  public var isEmpty: Bool { upserts.isEmpty && deletes.isEmpty }
}

/// Why a response was refused: the text sent back in `error_detail`.
public struct MCPSinkProblem: Error, Sendable, Equatable, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}
