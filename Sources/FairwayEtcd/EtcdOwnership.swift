import FairwayProto
import FairwayStore
import Foundation
import Logging
import SwiftProtobuf
import Synchronization

/// One writer among the replicas for something only one of them may do (the configs a
/// registry owns, issue #22): the replica whose lease holds `key` in etcd is the owner.
///
/// `run()` campaigns: it grants a lease of `ttl`, takes the key if nobody holds it (a
/// transaction on the key's create revision, so two candidates cannot both win) and keeps the
/// lease alive. A candidate that dies stops the keep-alives, etcd expires the lease after
/// `ttl` and deletes the key with it, and another candidate takes over; cancelling `run()`
/// revokes the lease, handing over at once.
public final class EtcdOwnership: Sendable {
  public let key: String
  public let identity: String
  let client: EtcdClient
  let ttlSeconds: Int64
  let logger: Logger
  private let state = Mutex<(owner: Bool, lease: Int64)>((false, 0))

  public init(
    client: EtcdClient, key: String, identity: String, ttlSeconds: Int64 = 10,
    logger: Logger = Logger(label: "fairway.etcd")
  ) {
    self.client = client
    self.key = key
    self.identity = identity
    self.ttlSeconds = max(ttlSeconds, 2)
    self.logger = logger
  }

  /// True while this candidate's lease holds the key.
  public var isOwner: Bool { state.withLock { $0.owner } }

  /// The identity written by the current owner, if any (read from etcd).
  public func currentOwner() async throws -> String? {
    let response = try await client.range(.with { $0.key = Data(key.utf8) })
    return response.kvs.first.map { String(decoding: $0.value, as: UTF8.self) }
  }

  /// Campaigns and holds ownership until cancelled; never throws (etcd failures are retried).
  public func run() async {
    // How often a candidate that does not own the key looks again.
    let poll = min(Duration.milliseconds(Int(ttlSeconds) * 1000 / 4), .seconds(1))
    while !Task.isCancelled {
      do {
        let lease = try await client.leaseGrant(ttlSeconds: ttlSeconds).id
        state.withLock { $0.lease = lease }
        while !Task.isCancelled {
          if try await take(lease: lease) {
            state.withLock { $0.owner = true }
            logger.notice("took ownership", metadata: ["key": "\(key)", "identity": "\(identity)"])
            try await hold(lease: lease)
          }
          // Someone else owns it: keep our lease alive (one keep-alive) and look again.
          try await Task.sleep(for: poll)
          do {
            try await client.keepAlive(lease: lease, every: poll) { ttl in
              guard ttl > 0 else { throw ConfigStoreError.unavailable("lease expired") }
              throw Renewed()  // one answer is enough here
            }
          } catch is Renewed {}
        }
      } catch {
        let wasOwner = state.withLock { state -> Bool in
          defer { state.owner = false }
          return state.owner
        }
        if wasOwner {
          logger.warning(
            "lost ownership", metadata: ["key": "\(key)", "error": "\(error)"])
        }
        if Task.isCancelled { break }
        try? await Task.sleep(for: poll)
      }
    }
    state.withLock { $0.owner = false }
    let lease = state.withLock { $0.lease }
    // Hand over at once rather than after the TTL; in a task of its own, as this one is
    // cancelled (a call from it would be cancelled before it is sent).
    if lease != 0 {
      let client = self.client
      await Task { try? await client.leaseRevoke(id: lease) }.value
    }
  }

  private struct Renewed: Error {}

  /// Puts our identity under the key with our lease if the key does not exist.
  private func take(lease: Int64) async throws -> Bool {
    var absent = Etcdserverpb_Compare()
    absent.key = Data(key.utf8)
    absent.target = .create
    absent.result = .equal
    absent.createRevision = 0
    let txn = Etcdserverpb_TxnRequest.with {
      $0.compare = [absent]
      $0.success = [
        .with {
          $0.requestPut.key = Data(key.utf8)
          $0.requestPut.value = Data(identity.utf8)
          $0.requestPut.lease = lease
        }
      ]
    }
    return try await client.txn(txn).succeeded
  }

  /// Keeps the lease alive (three keep-alives per TTL) until it is lost; always throws.
  private func hold(lease: Int64) async throws {
    let interval = Duration.milliseconds(Int(ttlSeconds) * 1000 / 3)
    try await client.keepAlive(lease: lease, every: interval) { ttl in
      guard ttl > 0 else { throw ConfigStoreError.unavailable("lease \(lease) expired") }
    }
  }
}
