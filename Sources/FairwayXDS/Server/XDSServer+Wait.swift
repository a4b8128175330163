import FairwayResources
import Foundation

/// Where the connected proxies stand against one store revision (`XDSServer.waitForRevision`).
public struct RevisionWaitResult: Sendable {
  /// One connected stream.
  public struct Stream: Sendable {
    public var connectionID: UInt64
    public var proxyID: String
    public var kind: ProxyStream.Kind
    public var outcome: RevisionSync.Outcome

    public init(
      connectionID: UInt64, proxyID: String, kind: ProxyStream.Kind,
      outcome: RevisionSync.Outcome
    ) {
      self.connectionID = connectionID
      self.proxyID = proxyID
      self.kind = kind
      self.outcome = outcome
    }
  }

  public var revision: Int64
  /// The revision of the translation streams answer from now.
  public var publishedRevision: Int64
  /// Streams that identified themselves (sent a node), oldest first.
  public var streams: [Stream]
  /// When a pending outcome can turn without a request (see `RevisionSync.settle`).
  var settlesAt: ContinuousClock.Instant?

  public init(revision: Int64, publishedRevision: Int64, streams: [Stream]) {
    self.revision = revision
    self.publishedRevision = publishedRevision
    self.streams = streams
  }

  /// A push at `revision` or later was made.
  public var isPublished: Bool { publishedRevision >= revision }
  /// Every connected proxy holds the revision.
  public var isSynced: Bool { isPublished && streams.allSatisfy(\.outcome.isSynced) }
  /// Nothing will change without another push: every stream holds the revision or rejected it.
  public var isSettled: Bool { isPublished && streams.allSatisfy(\.outcome.pending.isEmpty) }
}

extension XDSServer {
  /// Where every connected proxy stands against `revision` now.
  public func revisionState(_ revision: Int64) -> RevisionWaitResult {
    let published = translation.current.revision
    let now = ContinuousClock.now
    var streams: [RevisionWaitResult.Stream] = []
    var settlesAt: ContinuousClock.Instant?
    for stream in registry.all {
      let snapshot = stream.snapshot
      guard let id = snapshot.node?.id else { continue }
      streams.append(
        .init(
          connectionID: stream.id, proxyID: id, kind: stream.kind,
          outcome: snapshot.revisions.outcome(for: revision, at: now)))
      if let settles = snapshot.revisions.settlesAt, settles > now {
        settlesAt = min(settlesAt ?? settles, settles)
      }
    }
    var result = RevisionWaitResult(
      revision: revision, publishedRevision: published, streams: streams)
    result.settlesAt = settlesAt
    return result
  }

  /// Returns once a push at `revision` or later was made and every connected proxy ACKed it or
  /// NACKed it (`isSettled`), or when `timeout` ran out, or when the task is cancelled; the
  /// result says which. Woken by every stream step, stream change and push (and at least
  /// once a second), never polling.
  public func waitForRevision(_ revision: Int64, timeout: Duration) async -> RevisionWaitResult {
    let deadline = ContinuousClock.now + timeout
    let progress = registry.progress
    return await progress.watching {
      while true {
        let seen = progress.current
        let state = revisionState(revision)
        if state.isSettled || ContinuousClock.now >= deadline || Task.isCancelled { return state }
        // The second is a backstop only: every change that matters advances `progress`.
        var until = min(deadline, .now + .seconds(1))
        if let settles = state.settlesAt { until = min(until, settles) }
        await progress.wait(after: seen, until: until)
      }
    }
  }
}
