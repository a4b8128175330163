import FairwayMesh
import FairwayStore

/// What makes `MeshTranslation`s out of the store, in the spirit of go-control-plane's
/// `ConfigWatcher`: the push coordinator asks it how far a store event reaches, then for the
/// next translation, and publishes the result. The server depends on this protocol only, so a
/// new translation (or a test double of the whole mesh) plugs in without touching it.
///
/// Implementations must be safe to call from several tasks: `changeScope(of:)` is called as
/// events arrive while a translation is being built.
public protocol MeshTranslationEngine: Sendable {
  /// How far one store event can reach: which xDS types its change can alter, and for EDS
  /// which clusters (nil: any). Judged against the mesh as of the latest translation this
  /// engine built; a scope may be wider than what really changes, never narrower.
  func changeScope(of event: ConfigEvent) -> ChangeScope

  /// The translation of `snapshot`, built from nothing (startup).
  func translation(of snapshot: MeshSnapshot) -> any MeshTranslation

  /// Whether `translation(updating:with:)` can take `.objects` for these changed keys, so the
  /// caller can skip taking a snapshot (which copies every stored object).
  func canPatch(_ changed: Set<ConfigKey>) -> Bool

  /// The one way to the next translation: `previous` (the translation currently published,
  /// which streams may still be reading) brought up to `change`. Whatever can be carried over
  /// from `previous` is; the result serves exactly what a fresh translation of the new mesh
  /// would. nil only for `.objects` that `canPatch` refuses; never nil for a snapshot.
  func translation(updating previous: any MeshTranslation, with change: MeshChange)
    -> (any MeshTranslation)?
}
