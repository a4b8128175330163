import Synchronization

/// A value computed at most once and shared by reference (see `ResourceSet.version`).
final class VersionMemo: Sendable {
  private let memo = Mutex<String?>(nil)

  func value(_ compute: () -> String) -> String {
    if let known = memo.withLock({ $0 }) { return known }
    let computed = compute()
    memo.withLock { $0 = computed }
    return computed
  }
}
