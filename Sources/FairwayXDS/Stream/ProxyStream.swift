import FairwayProto
import FairwayResources
import Foundation
import Synchronization

/// A connected ADS stream as the rest of the server sees it: identity, sync status per type,
/// what it was last sent, and the door to its mailbox.
public final class ProxyStream: Sendable {
  /// Which ADS variant the stream speaks.
  public enum Kind: String, Sendable, Codable {
    case sotw = "SotW"
    case delta = "Delta"
  }

  /// What debug endpoints read; updated by the stream's own task after every step.
  public struct Snapshot: Sendable {
    public var proxy: Proxy?
    public var node: Envoy_Config_Core_V3_Node?
    public var status: [XDSResourceType: TypeSyncStatus] = [:]
    /// The latest version of every resource sent, by type and name.
    package var sent: [XDSResourceType: OverlayDictionary<String, EncodedResource>] = [:]
    /// Which store revision the proxy holds, per type.
    public var revisions = RevisionSync()
  }

  public let id: UInt64
  public let kind: Kind
  public let peer: String
  public let connectedAt: Date
  private let state = Mutex(Snapshot())
  private let wake: @Sendable (PushScope) -> Void
  private let end: @Sendable () -> Void

  init(
    id: UInt64, kind: Kind, peer: String, wake: @escaping @Sendable (PushScope) -> Void,
    end: @escaping @Sendable () -> Void
  ) {
    self.id = id
    self.kind = kind
    self.peer = peer
    self.connectedAt = Date()
    self.wake = wake
    self.end = end
  }

  /// Ends the stream after the step in progress.
  public func close() { end() }

  public var snapshot: Snapshot { state.withLock { $0 } }

  /// Queues a push for this stream (coalescing with any pending one).
  public func push(_ scope: PushScope) { wake(scope) }

  func update(_ body: (inout Snapshot) -> Void) {
    state.withLock { body(&$0) }
  }
}
