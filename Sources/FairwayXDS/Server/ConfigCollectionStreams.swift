import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayStore
import Foundation
import GRPCCore
import Logging
import Synchronization

/// The MCP-over-xDS source: SotW streams whose first request names a config collection
/// (`networking.istio.io/v1alpha3/VirtualService`, ...) are served here instead of by the proxy
/// session, with every stored object of each requested kind, encoded by the
/// `ConfigCollectionEncoder`. Each response is the full set of its collection; a new one goes
/// out when the store changes what the set encodes to. Versions are content hashes, so a
/// restarted source with the same store sends the same versions.
final class ConfigCollectionStreams: Sendable {
  private let store: any ConfigStore
  private let encoder: any ConfigCollectionEncoder
  private let logger: Logger
  private let open = Mutex<[Int: AsyncStream<Input>.Continuation]>([:])
  private let nextID = Atomic<Int>(0)

  init(store: any ConfigStore, encoder: any ConfigCollectionEncoder, logger: Logger) {
    self.store = store
    self.encoder = encoder
    self.logger = logger
  }

  /// Whether a stream opening with `typeURL` is a collection stream.
  func serves(_ typeURL: String) -> Bool { encoder.kind(ofCollection: typeURL) != nil }

  /// Collection streams open now.
  var count: Int { open.withLock { $0.count } }

  /// Ends every open collection stream (graceful shutdown).
  func closeAll() {
    let continuations = open.withLock { open in
      defer { open.removeAll() }
      return Array(open.values)
    }
    for continuation in continuations { continuation.finish() }
  }

  enum Input: Sendable {
    case request(Envoy_Service_Discovery_V3_DiscoveryRequest)
    case changed
  }

  /// Per type URL on one stream: what was sent last.
  private struct Sent {
    var version: String
    var nonce: String
  }

  /// Serves one stream whose first request was `first`, until the client ends it.
  func serve(
    first: Envoy_Service_Discovery_V3_DiscoveryRequest,
    rest: RPCAsyncSequence<Envoy_Service_Discovery_V3_DiscoveryRequest, any Error>,
    peer: String,
    write: @escaping @Sendable (EncodedMessage) async throws -> Void
  ) async throws {
    let id = nextID.add(1, ordering: .relaxed).newValue
    let (inputs, continuation) = AsyncStream.makeStream(of: Input.self)
    open.withLock { $0[id] = continuation }
    defer { _ = open.withLock { $0.removeValue(forKey: id) } }
    // Subscribed before the first answer is built, so no change falls in between.
    let events = store.events()
    logger.info("MCP sink connected", metadata: ["peer": "\(peer)", "type": "\(first.typeURL)"])
    try await withRPCCancellationHandler {
      try await self.run(
        first: first, rest: rest, inputs: inputs, continuation: continuation, events: events,
        peer: peer, write: write)
    } onCancelRPC: {
      continuation.finish()
    }
  }

  private func run(
    first: Envoy_Service_Discovery_V3_DiscoveryRequest,
    rest: RPCAsyncSequence<Envoy_Service_Discovery_V3_DiscoveryRequest, any Error>,
    inputs: AsyncStream<Input>, continuation: AsyncStream<Input>.Continuation,
    events: ConfigEventStream, peer: String,
    write: @escaping @Sendable (EncodedMessage) async throws -> Void
  ) async throws {
    let dirty = PendingChange()
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask {
        defer { continuation.finish() }
        for try await request in rest { continuation.yield(.request(request)) }
      }
      group.addTask {
        for await _ in events {
          // One pending tick is enough: the answer is built from the store as it is then.
          if !dirty.flag.exchange(true, ordering: .acquiringAndReleasing) {
            continuation.yield(.changed)
          }
        }
      }
      var sent: [String: Sent] = [:]
      var nonce = 0
      func send(_ typeURL: String, force: Bool) async throws {
        guard let kind = encoder.kind(ofCollection: typeURL) else { return }
        let objects = await store.list(kind: kind, namespace: nil)
        let (resources, skipped) = encoder.encode(objects)
        for problem in skipped {
          logger.warning("MCP resource left out", metadata: ["problem": "\(problem)"])
        }
        var response = Envoy_Service_Discovery_V3_DiscoveryResponse()
        response.typeURL = typeURL
        response.resources = resources
        var hashed: [UInt8] = []
        for resource in resources { hashed += Array(resource.value) + [0] }
        let version = ContentHash.hex(of: hashed)
        if !force, sent[typeURL]?.version == version { return }
        nonce += 1
        response.versionInfo = version
        response.nonce = String(nonce)
        sent[typeURL] = Sent(version: version, nonce: response.nonce)
        try await write(EncodedMessage(bytes: try response.serializedBytes()))
      }
      func handle(_ request: Envoy_Service_Discovery_V3_DiscoveryRequest) async throws {
        guard serves(request.typeURL) else {
          logger.debug(
            "MCP stream asked for a type that is not a collection",
            metadata: ["type": "\(request.typeURL)"])
          return
        }
        guard let last = sent[request.typeURL], !request.responseNonce.isEmpty else {
          // A first request (or a re-request): answer with the current set.
          try await send(request.typeURL, force: true)
          return
        }
        guard request.responseNonce == last.nonce else { return }  // stale
        if request.hasErrorDetail {
          // Never resend after a NACK until the set changes again.
          logger.warning(
            "MCP sink NACKed a collection",
            metadata: [
              "peer": "\(peer)", "type": "\(request.typeURL)", "version": "\(last.version)",
              "error": "\(request.errorDetail.message)",
            ])
        }
      }
      try await handle(first)
      for await input in inputs {
        switch input {
        case .request(let request):
          try await handle(request)
        case .changed:
          dirty.flag.store(false, ordering: .releasing)
          for typeURL in sent.keys.sorted() { try await send(typeURL, force: false) }
        }
      }
      group.cancelAll()
    }
  }
}

/// Set while a store change is waiting to be looked at by a collection stream.
private final class PendingChange: Sendable {
  let flag = Atomic<Bool>(false)
}
