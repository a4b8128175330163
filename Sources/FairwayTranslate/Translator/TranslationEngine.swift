import FairwayMesh
import FairwayResources
import FairwayStore
import Synchronization

/// Fairway's `MeshTranslationEngine`: `MeshTranslator`s, patched where the changed objects
/// allow it (see `TranslationPatch`) and rebuilt from a snapshot otherwise, with the push table
/// judging each store event against the index of the latest translation built.
public final class TranslationEngine: MeshTranslationEngine {
  /// The latest translation's basis for the push table; replaced by each translation built.
  private let basis = Mutex(PushTable.Basis(.empty))

  /// Istio's root namespace (`--root-namespace`): its Sidecar is the mesh-wide default and its
  /// DestinationRules the last ones a client looks at.
  private let rootNamespace: String

  public init(rootNamespace: String = "istio-system") {
    self.rootNamespace = rootNamespace
  }

  public func changeScope(of event: ConfigEvent) -> ChangeScope {
    PushTable.scope(for: event, against: basis.withLock { $0 })
  }

  public func translation(of snapshot: MeshSnapshot) -> any MeshTranslation {
    built(MeshTranslator(snapshot: snapshot, reusing: nil, rootNamespace: rootNamespace))
  }

  public func canPatch(_ changed: Set<ConfigKey>) -> Bool {
    TranslationPatch.kind(of: changed) != nil
  }

  /// A patch of `previous` when the change is only WorkloadEntries, only VirtualServices or only
  /// DestinationRules (given as objects, or as a snapshot naming what changed); otherwise a
  /// full translation of the snapshot that takes over `previous`'s unchanged endpoint
  /// assignments and pods' own listeners.
  public func translation(updating previous: any MeshTranslation, with change: MeshChange)
    -> (any MeshTranslation)?
  {
    let previous = previous as? MeshTranslator
    switch change {
    case .objects(let objects, let revision):
      guard let previous, let patch = TranslationPatch(objects) else { return nil }
      return built(MeshTranslator(updating: previous, revision: revision, patch: patch))
    case .snapshot(let snapshot, let changed):
      if let previous, let changed,
        let patch = TranslationPatch(
          Dictionary(uniqueKeysWithValues: changed.map { ($0, snapshot[$0]) }))
      {
        return built(MeshTranslator(updating: previous, revision: snapshot.revision, patch: patch))
      }
      return built(
        MeshTranslator(snapshot: snapshot, reusing: previous, rootNamespace: rootNamespace))
    }
  }

  private func built(_ translator: MeshTranslator) -> MeshTranslator {
    let next = PushTable.Basis(index: translator.index)
    basis.withLock { $0 = next }
    return translator
  }
}
