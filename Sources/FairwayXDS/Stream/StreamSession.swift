import FairwayResources
import Foundation
import GRPCCore

/// Runs one ADS stream: reads requests, answers them, and applies pushes from its mailbox, one
/// step at a time on the stream's own task (so at most one push is in flight per stream).
struct StreamSession<State: StreamProtocolState> {
  let context: XDSContext

  func run(
    requests: RPCAsyncSequence<State.Request, any Error>,
    peer: String,
    write: @escaping @Sendable (EncodedMessage) async throws -> Void
  ) async throws {
    let mailbox = StreamMailbox<State.Request>()
    let stream = ProxyStream(
      id: context.registry.makeID(), kind: State.kind, peer: peer,
      wake: { mailbox.post($0) }, end: { mailbox.close() })
    context.registry.add(stream)
    defer {
      context.registry.remove(stream.id)
      context.throttle.end(stream: stream.id)
      if let observer = context.observer, let proxy = stream.snapshot.proxy {
        observer.proxyDisconnected(stream: stream.id, proxy: proxy, at: Date())
      }
    }

    do {
      try await serve(requests: requests, mailbox: mailbox, stream: stream, write: write)
    } catch let error as RPCError
      where error.code == .invalidArgument || error.code == .resourceExhausted
    {
      // Once per stream: the stream ends with this status.
      context.logger.warning(
        "ending an ADS stream on a request it refused",
        metadata: [
          "peer": "\(peer)", "stream": "\(stream.id)", "kind": "\(State.kind.rawValue)",
          "status": "\(error.code)", "error": "\(error.message)",
          "cause": "\(error.cause.map { "\($0)" } ?? "-")",
        ])
      throw error
    }
  }

  private func serve(
    requests: RPCAsyncSequence<State.Request, any Error>, mailbox: StreamMailbox<State.Request>,
    stream: ProxyStream, write: @escaping @Sendable (EncodedMessage) async throws -> Void
  ) async throws {
    try await withRPCCancellationHandler {
      try await withThrowingDiscardingTaskGroup { group in
        group.addTask {
          defer { mailbox.close() }
          do {
            for try await request in requests {
              await mailbox.waitForRoom()
              mailbox.deliver(request)
            }
          } catch let error as RPCError
            where error.code == .resourceExhausted || error.code == .invalidArgument
          {
            mailbox.fail(error)
          } catch {
            // A reset or cancelled stream ends like a closed one.
          }
        }
        var driver = Driver(context: context, stream: stream, write: write)
        for await event in mailbox.events {
          switch event {
          case .request(let request):
            mailbox.taken()
            try await driver.handle(request)
          case .push:
            if let scope = mailbox.takePush() { try await driver.apply(scope) }
          case .failed(let error):
            throw error
          }
        }
        // Closed (shutdown or cancellation): stop reading requests too.
        group.cancelAll()
      }
    } onCancelRPC: {
      mailbox.close()
    }
  }

  /// The per-stream steps; a value owned by the stream's task.
  struct Driver {
    let context: XDSContext
    let stream: ProxyStream
    let write: @Sendable (EncodedMessage) async throws -> Void
    var state = State(controlPlaneIdentifier: "")
    var proxy: Proxy?
    var rejectionLog = RejectionLog()
    var revisions = RevisionSync()

    init(
      context: XDSContext, stream: ProxyStream,
      write: @escaping @Sendable (EncodedMessage) async throws -> Void
    ) {
      self.context = context
      self.stream = stream
      self.write = write
      self.state = State(controlPlaneIdentifier: context.config.controlPlaneIdentifier)
    }

    mutating func handle(_ request: State.Request) async throws {
      let (typeURL, error) = State.typeAndError(request)
      if typeURL == HealthInformation.typeURL {
        // Istio's health report: passed on, never answered, no per-type state.
        state.adoptNode(of: request)
        connect()
        if let proxy {
          context.observer?.proxyReportedHealth(
            stream: stream.id, proxy: proxy, healthy: error == nil, message: error, at: Date())
        }
        publish()
        return
      }
      let names = State.resourceNameCount(request)
      guard names <= context.config.maxResourceNamesPerRequest else {
        throw RPCError(
          code: .invalidArgument,
          message:
            "request names \(names) resources; the limit is \(context.config.maxResourceNamesPerRequest)"
        )
      }
      let outcome = state.receive(request, now: Date())
      let footprint = state.subscriptionFootprint
      let config = context.config
      guard footprint.names <= config.maxSubscribedNamesPerStream,
        footprint.bytes <= config.maxSubscribedBytesPerStream
      else {
        throw RPCError(
          code: .resourceExhausted,
          message:
            "stream subscribes to \(footprint.names) names of \(footprint.bytes) bytes; the limit is \(config.maxSubscribedNamesPerStream) names and \(config.maxSubscribedBytesPerStream) bytes per stream"
        )
      }
      connect()
      switch outcome.verdict {
      case .ack:
        if let type = outcome.type { context.throttle.acknowledge(stream: stream.id, type: type) }
      case .nack:
        if let type = outcome.type {
          context.metrics.recordNack(type: type)
          context.throttle.acknowledge(stream: stream.id, type: type)
          logRejection(type)
        }
      case .stale where outcome.type != nil:
        context.metrics.recordStaleNonce()
      default:
        break
      }
      if outcome.type == nil {
        // A type URL this server does not serve: its own count, and its empty answer if owed
        // (a few bytes, so it skips the push window).
        context.metrics.recordUnknownTypeRequest()
        if let reply = outcome.reply { try await write(reply) }
      }
      if let type = outcome.type { revisions.answered(type, outcome.verdict) }
      if outcome.respond, let type = outcome.type {
        // The subscription may have changed: what was sent is no longer the available set.
        sharedSent.remove(type)
        try await send(type, force: false, limit: nil)
      }
      publish(touching: outcome.type.map { [$0] } ?? [])
    }

    /// On the stream's first request: the proxy it serves, recorded at once (so the end of the
    /// stream reports it even if this step fails) and announced to the observer.
    private mutating func connect() {
      guard proxy == nil else { return }
      let node = state.node ?? .init()
      let proxy = Proxy(node: node).overStream(delta: State.kind == .delta)
      self.proxy = proxy
      stream.update { $0.proxy = proxy }
      context.observer?.proxyConnected(stream: stream.id, proxy: proxy, node: node, at: Date())
    }

    /// Applies a push in ADS order: CDS, EDS, LDS, RDS; EDS is resent in full after a CDS
    /// response so that updated clusters finish warming. Make before break: clusters that
    /// disappear stay in the first CDS response and are removed by a last one, after routes
    /// stopped pointing at them.
    mutating func apply(_ scope: PushScope) async throws {
      var clustersSent = false
      var sentAny = false
      var removeStaleClusters = false
      var touched: [XDSResourceType] = []
      for type in state.requestedTypes {
        let warm = type == .endpoint && clustersSent
        guard scope.types.contains(type) || warm else {
          revisions.unchanged(type, at: scope.revision)
          continue
        }
        touched.append(type)
        let limit = type == .endpoint && !warm ? scope.endpointClusters : nil
        let keepStale = type == .cluster
        let sent = try await send(type, force: warm, limit: limit, keepingRemoved: keepStale)
        if type == .cluster {
          clustersSent = sent
          // Removal-only changes leave the first CDS identical: only the last one goes out.
          removeStaleClusters = staleClusterCount > 0
        }
        sentAny = sentAny || sent
      }
      if removeStaleClusters, try await send(.cluster, force: false, limit: nil) {
        sentAny = true
      }
      if sentAny {
        context.metrics.recordConvergence(
          seconds: (context.clock.now - scope.firstChange).seconds)
      }
      publish(touching: touched)
    }

    /// Clusters kept in the last CDS response only because they are being removed.
    private(set) var staleClusterCount = 0
    /// Types whose recorded `sent` set is the translator's available set itself.
    private var sharedSent: Set<XDSResourceType> = []

    @discardableResult
    mutating func send(
      _ type: XDSResourceType, force: Bool, limit: Set<String>?, keepingRemoved: Bool = false
    ) async throws -> Bool {
      guard let proxy, let subscription = state.subscription(for: type) else { return false }
      let started = ContinuousClock.now
      let translator = context.translation.current
      // The protocol state filters by subscription itself; only a grpc client's LDS and RDS
      // need the names up front (they are built per requested name). Passing names otherwise
      // would sort and copy the proxy's whole set on every push.
      let namesNeeded =
        (proxy.client == .grpc && (type == .listener || type == .route)) || type.resolvedByServer
      // A VHDS wildcard with names beside it asks for both (see `MeshTranslation.resources`).
      // A wildcard alone, or a type built whole, is asked for without names.
      let withWildcard = type.resolvedByServer && subscription.wildcard
      let requested: ResourceNames?
      if !namesNeeded || (subscription.wildcard && (!withWildcard || subscription.names.isEmpty)) {
        requested = nil
      } else {
        requested = requestedNames(type, subscription.names, withWildcard: withWildcard)
      }
      var available = translator.resources(
        for: proxy, type: type, requestedNames: requested)
      staleClusterCount = 0
      if keepingRemoved {
        for (name, resource) in stream.snapshot.sent[type] ?? [:] where available[name] == nil {
          available.insert(resource)
          staleClusterCount += 1
        }
      }
      guard
        let outgoing = state.response(
          for: type, available: available, force: force, limit: limit, now: Date())
      else {
        revisions.unchanged(type, at: translator.revision)
        return false
      }
      revisions.sent(type, at: translator.revision)
      let admission = ContinuousClock.now
      await context.throttle.admit(stream: stream.id, type: type, bytes: outgoing.message.count)
      let waited = ContinuousClock.now - admission
      try await write(outgoing.message)
      // Time spent waiting for the throttle is not time spent sending.
      context.metrics.recordSent(
        type: type, bytes: outgoing.message.count,
        seconds: (ContinuousClock.now - started - waited).seconds)
      // When the stream holds every available resource, record the translator's own set (same
      // storage, shared by every such stream) instead of a private copy: thousands of entries
      // per stream and type were most of the server's memory. An endpoint-only push changes
      // only `limit`, so a stream that shared the previous set shares the new one.
      let sentEverything = outgoing.removed.isEmpty && outgoing.resources.count == available.count
      if sentEverything || (sharedSent.contains(type) && limit != nil && !force) {
        sharedSent.insert(type)
        let whole = available.byName
        stream.update { $0.sent[type] = whole }
      } else {
        sharedSent.remove(type)
        stream.update { snapshot in
          // Mutated in place: copying the set out and back would cost O(set) per response.
          if type.isFullStateInSotW, State.kind == .sotw { snapshot.sent[type] = [:] }
          for resource in outgoing.resources {
            snapshot.sent[type, default: [:]][resource.name] = resource
          }
          for name in outgoing.removed { snapshot.sent[type]?.removeValue(forKey: name) }
        }
      }
      return true
    }

    /// The names last asked of the translation, per type, and what they were made from.
    private var requested:
      [XDSResourceType: (names: Set<String>, wildcard: Bool, asked: ResourceNames)] = [:]

    /// `names` (and "*" `withWildcard`) as the translation is asked for them: made again only
    /// when the subscription changed, so a push to a stream whose subscription did not (all of
    /// them but the first) hashes no name. Interned, so streams with the same subscription hand
    /// over the same set and the translation's lookup compares storage, not names.
    private mutating func requestedNames(
      _ type: XDSResourceType, _ names: Set<String>, withWildcard: Bool
    ) -> ResourceNames {
      // Unchanged sets share storage with the one kept: comparing them is O(1).
      if let kept = requested[type], kept.wildcard == withWildcard, kept.names == names {
        return kept.asked
      }
      let set = withWildcard ? names.union(["*"]) : names
      let made = ResourceNames(SubscriptionSets.shared.internedRequest(set))
      requested[type] = (names, withWildcard, made)
      return made
    }

    /// A NACK at warning level (rate-limited per stream): a proxy refusing config is the one
    /// thing an operator must hear about without polling syncz.
    private mutating func logRejection(_ type: XDSResourceType) {
      let (log, heldBack) = rejectionLog.admit(at: .now)
      guard log else { return }
      context.logger.warning(
        "proxy rejected config (NACK)",
        metadata: RejectionLog.metadata(
          proxy: state.node?.id ?? "", peer: stream.peer, type: type,
          rejection: state.status(for: type)?.lastError, heldBack: heldBack))
    }

    /// Publishes the stream's whole state: every type's status, its node, proxy and revisions.
    mutating func publish() {
      let types = state.requestedTypes
      var statuses: [XDSResourceType: TypeSyncStatus] = [:]
      for type in types { statuses[type] = state.status(for: type) }
      let node = state.node
      let proxy = proxy
      let revisions = revisions
      stream.update { snapshot in
        snapshot.status = statuses
        snapshot.node = node
        snapshot.proxy = proxy
        snapshot.revisions = revisions
      }
      published = Published(types: types, hasNode: node != nil)
      context.registry.progress.advance()
    }

    /// Publishes the status of `touched` and the revisions, when the stream's types and node
    /// are still what was last published (every push and ACK after the first requests):
    /// copying every type's status on each of them was 5% of a push to 2,000 streams.
    mutating func publish(touching touched: [XDSResourceType]) {
      guard published == Published(types: state.requestedTypes, hasNode: state.node != nil)
      else { return publish() }
      var statuses: [(XDSResourceType, TypeSyncStatus?)] = []
      for type in touched { statuses.append((type, state.status(for: type))) }
      let revisions = revisions
      stream.update { snapshot in
        for (type, status) in statuses { snapshot.status[type] = status }
        snapshot.revisions = revisions
      }
      context.registry.progress.advance()
    }

    /// What the last whole `publish()` covered.
    private struct Published: Equatable {
      var types: [XDSResourceType]
      var hasNode: Bool
    }
    private var published: Published?
  }
}
