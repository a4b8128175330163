import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayStore
import FairwayTranslate
import Foundation
import GRPCCore
import GRPCInProcessTransport
import Logging
import Synchronization
import Testing

@testable import FairwayXDS

/// The one place the push and stream tests build what they test: a real in-memory store with
/// the base mesh, a manual clock, and the ADS service over it.
struct ADSHarness: Sendable {
  let store: InMemoryConfigStore
  let clock: ManualClock
  let service: XDSService

  var coordinator: PushCoordinator { service.coordinator }

  /// The service under test; the lead adapts this one function when construction changes.
  static func makeService(
    store: any ConfigStore, clock: ManualClock, config: XDSServerConfig
  ) -> XDSService {
    XDSService(
      store: store, engine: TranslationEngine(), config: config, clock: clock,
      logger: Logger(label: "test"))
  }

  /// Debounce of 100 ms of quiet, at most 10 s; no heap trimming (it would sleep on the
  /// clock too).
  static func config(_ configure: (inout XDSServerConfig) -> Void = { _ in }) -> XDSServerConfig {
    var config = XDSServerConfig()
    config.heapTrimQuiet = nil
    configure(&config)
    return config
  }

  init(config: XDSServerConfig) async throws {
    store = InMemoryConfigStore()
    clock = ManualClock()
    service = Self.makeService(store: store, clock: clock, config: config)
    try await apply(MeshYAML.base)
  }

  func apply(_ yaml: String) async throws {
    _ = try await store.apply(try ConfigParser().parse(Data(yaml.utf8), format: .yaml).objects)
  }

  /// Applies `yaml` and waits until the coordinator holds `pending` changes, so the time the
  /// test moves next is after they arrived.
  func apply(_ yaml: String, pending: Int) async throws {
    try await apply(yaml)
    try await eventually { coordinator.pendingChanges == pending }
  }

  /// Waits until the coordinator sleeps out the debounce again or has pushed past `pushes`.
  func settled(pushes: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    try await eventually(sourceLocation: sourceLocation) {
      clock.sleeperCount == 1 || coordinator.recentPushes.count > pushes
    }
  }

  /// Runs the coordinator alone (no transport, no throttle) around `body`.
  static func withCoordinator(
    _ config: XDSServerConfig = config(), _ body: (ADSHarness) async throws -> Void
  ) async throws {
    let harness = try await ADSHarness(config: config)
    try await withThrowingDiscardingTaskGroup { group in
      group.addTask { await harness.coordinator.run() }
      // The startup build: the coordinator follows the store from here on.
      try await eventually { harness.coordinator.recentPushes.count == 1 }
      try await body(harness)
      group.cancelAll()
    }
  }

  /// Serves ADS over grpc-swift-2's in-process transport and hands `body` a real client.
  static func withServer(
    _ config: XDSServerConfig = config(),
    _ body: (ADSHarness, GRPCClient<InProcessTransport.Client>) async throws -> Void
  ) async throws {
    let harness = try await ADSHarness(config: config)
    let transport = InProcessTransport()
    let server = GRPCServer(transport: transport.server, services: harness.service.services)
    try await withThrowingDiscardingTaskGroup { group in
      group.addTask { try await harness.service.serve(on: server) }
      try await eventually { harness.coordinator.recentPushes.count == 1 }
      try await withGRPCClient(transport: transport.client) { client in
        try await body(harness, client)
      }
      harness.service.closeStreams()
      server.beginGracefulShutdown()
      group.cancelAll()
    }
  }
}

struct TimedOut: Error, CustomStringConvertible {
  var description: String
}

/// Waits (in real time, polling) until `condition` holds; after `timeout` records an issue at
/// the caller's line and throws.
func eventually(
  timeout: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation,
  _ condition: () -> Bool
) async throws {
  let deadline = ContinuousClock.now + timeout
  while !condition() {
    guard ContinuousClock.now < deadline else {
      Issue.record("condition not met within \(timeout)", sourceLocation: sourceLocation)
      throw TimedOut(description: "timed out")
    }
    try await Task.sleep(for: .milliseconds(1))
  }
}

/// Values appended from several tasks.
final class OrderLog: Sendable {
  private let log = Mutex<[Int]>([])
  func append(_ value: Int) { log.withLock { $0.append(value) } }
  var values: [Int] { log.withLock { $0 } }
}

/// One ADS stream of a real grpc-swift-2 client: requests go out as the test sends them,
/// responses are kept as they arrive and taken in order.
final class ADSConversation<Request: Sendable, Response: Sendable>: Sendable {
  private struct Inbox {
    var responses: [Response] = []
    var taken = 0
    var failure: String?
  }

  private let outbound: AsyncStream<Request>.Continuation
  private let inbox = Mutex(Inbox())

  init(outbound: AsyncStream<Request>.Continuation) {
    self.outbound = outbound
  }

  func send(_ request: Request) { outbound.yield(request) }

  func finish() { outbound.finish() }

  func received(_ response: Response) { inbox.withLock { $0.responses.append(response) } }

  func failed(_ error: any Error) { inbox.withLock { $0.failure = "\(error)" } }

  /// The next response not taken yet; fails after `timeout` (real time).
  func next(timeout: Duration = .seconds(10)) async throws -> Response {
    let deadline = ContinuousClock.now + timeout
    while true {
      let next = inbox.withLock { inbox -> Response? in
        guard inbox.taken < inbox.responses.count else { return nil }
        inbox.taken += 1
        return inbox.responses[inbox.taken - 1]
      }
      if let next { return next }
      guard ContinuousClock.now < deadline else {
        let failure = inbox.withLock { $0.failure } ?? "none"
        throw TimedOut(description: "no response (stream error: \(failure))")
      }
      try await Task.sleep(for: .milliseconds(1))
    }
  }

  /// Responses that arrive within `window` (real time); none is the expectation.
  func unexpected(within window: Duration = .milliseconds(150)) async throws -> [Response] {
    try await Task.sleep(for: window)
    return inbox.withLock { inbox in
      defer { inbox.taken = inbox.responses.count }
      return Array(inbox.responses[inbox.taken...])
    }
  }
}

typealias SotWRequest = Envoy_Service_Discovery_V3_DiscoveryRequest
typealias SotWResponse = Envoy_Service_Discovery_V3_DiscoveryResponse
typealias DeltaRequest = Envoy_Service_Discovery_V3_DeltaDiscoveryRequest
typealias DeltaResponse = Envoy_Service_Discovery_V3_DeltaDiscoveryResponse

extension GRPCClient where Transport == InProcessTransport.Client {
  typealias ADSClient = Envoy_Service_Discovery_V3_AggregatedDiscoveryService.Client<Transport>

  /// Opens a SotW ADS stream for the length of `body`.
  func withSotWStream(
    _ body: (ADSConversation<SotWRequest, SotWResponse>) async throws -> Void
  ) async throws {
    try await withStream(
      { ads, produce, consume in
        try await ads.streamAggregatedResources(requestProducer: produce, onResponse: consume)
      }, body)
  }

  /// Opens a Delta ADS stream for the length of `body`.
  func withDeltaStream(
    _ body: (ADSConversation<DeltaRequest, DeltaResponse>) async throws -> Void
  ) async throws {
    try await withStream(
      { ads, produce, consume in
        try await ads.deltaAggregatedResources(requestProducer: produce, onResponse: consume)
      }, body)
  }

  /// Runs the RPC `open` starts, feeding it the conversation's requests and keeping its
  /// responses, for the length of `body`.
  private func withStream<Request: Sendable, Response: Sendable>(
    _ open:
      @escaping @Sendable (
        ADSClient,
        _ produce: @escaping @Sendable (RPCWriter<Request>) async throws -> Void,
        _ consume: @escaping @Sendable (StreamingClientResponse<Response>) async throws -> Void
      ) async throws -> Void,
    _ body: (ADSConversation<Request, Response>) async throws -> Void
  ) async throws {
    let ads = ADSClient(wrapping: self)
    let (requests, sink) = AsyncStream.makeStream(of: Request.self)
    let conversation = ADSConversation<Request, Response>(outbound: sink)
    try await withThrowingDiscardingTaskGroup { group in
      group.addTask {
        do {
          try await open(
            ads,
            { writer in
              for await request in requests { try await writer.write(request) }
            },
            { response in
              for try await message in response.messages { conversation.received(message) }
            })
        } catch {
          conversation.failed(error)
        }
      }
      try await body(conversation)
      conversation.finish()
      group.cancelAll()
    }
  }
}

/// Istio YAML for the push tests, as in the interop tests' `mesh_fixtures.py`.
enum MeshYAML {
  static let reviews = "reviews.default.svc.cluster.local"
  static let reviewsCluster = "outbound|9080||\(reviews)"
  static let reviewsV1 = "outbound|9080|v1|\(reviews)"
  static let sidecar = "sidecar~10.0.0.9~productpage-v1-123.default~default.svc.cluster.local"

  static let base = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: reviews, namespace: default}
    spec:
      hosts: [\(reviews)]
      location: MESH_INTERNAL
      resolution: STATIC
      ports: [{number: 9080, name: http, protocol: HTTP}]
      workloadSelector: {labels: {app: reviews}}
    ---
    apiVersion: networking.istio.io/v1
    kind: WorkloadEntry
    metadata: {name: reviews-1, namespace: default}
    spec: {address: 10.1.0.1, labels: {app: reviews, version: v1}}
    ---
    apiVersion: networking.istio.io/v1
    kind: WorkloadEntry
    metadata: {name: reviews-2, namespace: default}
    spec: {address: 10.1.0.2, labels: {app: reviews, version: v2}}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: reviews, namespace: default}
    spec:
      host: \(reviews)
      subsets:
      - {name: v1, labels: {version: v1}}
      - {name: v2, labels: {version: v2}}
    """

  static func workload(_ name: String, _ address: String, version: String = "v1") -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: WorkloadEntry
    metadata: {name: \(name), namespace: default}
    spec: {address: \(address), labels: {app: reviews, version: \(version)}}
    """
  }

  static func reviewsRule(_ lb: String) -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: reviews, namespace: default}
    spec:
      host: \(reviews)
      trafficPolicy: {loadBalancer: {simple: \(lb)}}
      subsets:
      - {name: v1, labels: {version: v1}}
      - {name: v2, labels: {version: v2}}
    """
  }

  static func reviewsRoute(subset: String) -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: reviews, namespace: default}
    spec:
      hosts: [\(reviews)]
      http: [{route: [{destination: {host: \(reviews), subset: \(subset)}}]}]
    """
  }

  /// The reviews ServiceEntry with a second port: new clusters, a new listener and a new
  /// route configuration ("9081").
  static let reviewsOnTwoPorts = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: reviews, namespace: default}
    spec:
      hosts: [\(reviews)]
      location: MESH_INTERNAL
      resolution: STATIC
      ports: [{number: 9080, name: http, protocol: HTTP}, {number: 9081, name: http-admin, protocol: HTTP}]
      workloadSelector: {labels: {app: reviews}}
    """

  static let ratings = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: ratings, namespace: default}
    spec:
      hosts: [ratings.default.svc.cluster.local]
      location: MESH_INTERNAL
      resolution: STATIC
      ports: [{number: 9080, name: http, protocol: HTTP}]
      endpoints: [{address: 10.2.0.1}]
    """

  /// Subset v1 goes away and v3 arrives, with a route to v3, in one apply.
  static let moveToV3 = """
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: reviews, namespace: default}
    spec:
      host: \(reviews)
      subsets: [{name: v2, labels: {version: v2}}, {name: v3, labels: {version: v3}}]
    ---
    \(reviewsRoute(subset: "v3"))
    """
}
