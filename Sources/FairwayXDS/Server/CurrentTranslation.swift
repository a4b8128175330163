import FairwayMesh
import FairwayTranslate
import Synchronization

/// The translation every stream reads when it builds a response; replaced by each push.
public final class CurrentTranslation: Sendable {
  private let translator: Mutex<MeshTranslator>

  public init(_ translator: MeshTranslator = MeshTranslator(snapshot: .empty)) {
    self.translator = Mutex(translator)
  }

  public var current: MeshTranslator { translator.withLock { $0 } }

  func replace(with translator: MeshTranslator) {
    self.translator.withLock { $0 = translator }
  }
}
