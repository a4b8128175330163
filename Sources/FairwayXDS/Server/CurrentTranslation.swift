import FairwayResources
import Synchronization

/// The translation every stream reads when it builds a response; replaced by each push.
final class CurrentTranslation: Sendable {
  private let translation: Mutex<any MeshTranslation>

  /// Starts with `initial` (the empty mesh until the coordinator's first build).
  init(_ initial: any MeshTranslation) {
    translation = Mutex(initial)
  }

  var current: any MeshTranslation { translation.withLock { $0 } }

  func replace(with next: any MeshTranslation) {
    translation.withLock { $0 = next }
  }
}
