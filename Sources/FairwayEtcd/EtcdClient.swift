import FairwayProto
import FairwayStore
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SwiftProtobuf
import Synchronization

/// A small etcd v3 client on grpc-swift-2: the KV, Watch, Lease and Auth calls Fairway
/// uses, with deadlines, an auth token when configured, and etcd's failures mapped to
/// `ConfigStoreError` (unreachable: `.unavailable`, i.e. 503).
public final class EtcdClient: Sendable {
  typealias Transport = HTTP2ClientTransport.Posix

  public let configuration: EtcdConfiguration
  /// Unary calls. etcd's gRPC server pings after each request it receives (grpc-go's
  /// bandwidth estimator) and grpc-swift closes a connection that gets over 200 pings in 30 s,
  /// so under a steady stream of writes this connection is re-opened now and then: a call
  /// caught by that is retried once (see `call`).
  private let grpc: GRPCClient<Transport>
  /// The watch, on a connection of its own that the churn above never closes.
  private let watchGRPC: GRPCClient<Transport>
  private let token = Mutex<String?>(nil)

  /// Connects lazily: the first call opens the connection, and it is re-opened (next
  /// endpoint, bounded backoff) whenever it drops.
  public init(configuration: EtcdConfiguration) throws {
    self.configuration = configuration
    let target: any ResolvableTarget
    if configuration.endpoints.count == 1,
      !EtcdConfiguration.isIPv4(configuration.endpoints[0].host)
    {
      target = ResolvableTargets.DNS(
        host: configuration.endpoints[0].host, port: configuration.endpoints[0].port)
    } else {
      let ipv4: ResolvableTargets.IPv4 = .ipv4(
        pairs: configuration.endpoints.map { (host: $0.host, port: $0.port) })
      target = ipv4
    }
    grpc = try Self.connect(target, configuration)
    watchGRPC = try Self.connect(target, configuration)
  }

  private static func connect(
    _ target: any ResolvableTarget, _ configuration: EtcdConfiguration
  ) throws -> GRPCClient<Transport> {
    let maxBackoff = configuration.maxBackoff
    let transport = try HTTP2ClientTransport.Posix(
      target: target, transportSecurity: Self.security(configuration.tls),
      config: .defaults { config in
        config.backoff.initial = .milliseconds(50)
        config.backoff.max = maxBackoff
        config.http2.targetWindowSize = 8 * 1024 * 1024
      })
    let client = GRPCClient(transport: transport)
    Task { try? await client.runConnections() }
    return client
  }

  deinit {
    close()
  }

  /// Closes the connections; calls in flight fail.
  public func close() {
    grpc.beginGracefulShutdown()
    watchGRPC.beginGracefulShutdown()
  }

  private static func security(_ tls: EtcdConfiguration.TLS?) -> Transport.TransportSecurity {
    guard let tls else { return .plaintext }
    return .tls { config in
      if let ca = tls.caPath {
        config.trustRoots = .certificates([.file(path: ca, format: .pem)])
      }
      if let cert = tls.certificatePath, let key = tls.keyPath {
        config.certificateChain = [.file(path: cert, format: .pem)]
        config.privateKey = .file(path: key, format: .pem)
      }
    }
  }

  var options: CallOptions {
    var options = CallOptions.defaults
    options.timeout = configuration.requestTimeout
    // Fail at once while etcd is down rather than queue until the deadline.
    options.waitForReady = false
    options.maxResponseMessageBytes = 512 * 1024 * 1024
    options.maxRequestMessageBytes = 64 * 1024 * 1024
    return options
  }

  // MARK: - Calls

  public func range(_ request: Etcdserverpb_RangeRequest) async throws
    -> Etcdserverpb_RangeResponse
  {
    try await call { metadata in
      try await Etcdserverpb_KV.Client(wrapping: self.grpc).range(
        request, metadata: metadata, options: self.options)
    }
  }

  public func txn(_ request: Etcdserverpb_TxnRequest) async throws -> Etcdserverpb_TxnResponse {
    try await call { metadata in
      try await Etcdserverpb_KV.Client(wrapping: self.grpc).txn(
        request, metadata: metadata, options: self.options)
    }
  }

  public func put(_ request: Etcdserverpb_PutRequest) async throws -> Etcdserverpb_PutResponse {
    try await call(retries: 0) { metadata in
      try await Etcdserverpb_KV.Client(wrapping: self.grpc).put(
        request, metadata: metadata, options: self.options)
    }
  }

  /// Compacts etcd's history up to `revision` (tests and operators).
  public func compact(revision: Int64) async throws {
    let request = Etcdserverpb_CompactionRequest.with {
      $0.revision = revision
      $0.physical = true
    }
    _ = try await call(retries: 0) { metadata in
      try await Etcdserverpb_KV.Client(wrapping: self.grpc).compact(
        request, metadata: metadata, options: self.options)
    }
  }

  public func leaseGrant(ttlSeconds: Int64) async throws -> Etcdserverpb_LeaseGrantResponse {
    let request = Etcdserverpb_LeaseGrantRequest.with { $0.ttl = ttlSeconds }
    return try await call(retries: 0) { metadata in
      try await Etcdserverpb_Lease.Client(wrapping: self.grpc).leaseGrant(
        request, metadata: metadata, options: self.options)
    }
  }

  public func leaseRevoke(id: Int64) async throws {
    let request = Etcdserverpb_LeaseRevokeRequest.with { $0.id = id }
    _ = try await call(retries: 0) { metadata in
      try await Etcdserverpb_Lease.Client(wrapping: self.grpc).leaseRevoke(
        request, metadata: metadata, options: self.options)
    }
  }

  /// Runs one Watch stream: sends `create`, then hands every response to `onResponse`
  /// until it returns or throws, or the stream ends (then this throws `.unavailable`).
  public func watch(
    _ create: Etcdserverpb_WatchCreateRequest,
    onResponse: @escaping @Sendable (Etcdserverpb_WatchResponse) async throws -> Void
  ) async throws {
    try await streamingCall { client, metadata, options in
      try await Etcdserverpb_Watch.Client(wrapping: client).watch(
        metadata: metadata, options: options,
        requestProducer: { writer in
          var request = Etcdserverpb_WatchRequest()
          request.createRequest = create
          try await writer.write(request)
          // Closing our side would end the watch: hold it open until the call ends.
          while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        },
        onResponse: { response in
          for try await message in response.messages { try await onResponse(message) }
          throw ConfigStoreError.unavailable("etcd ended the watch stream")
        })
    }
  }

  // MARK: - Auth and errors

  /// A long-lived stream on the connection that unary churn never closes, without deadline
  /// or retry (its owner reconnects).
  func streamingCall(
    _ body: @Sendable (GRPCClient<Transport>, Metadata, CallOptions) async throws -> Void
  ) async throws {
    var options = self.options
    options.timeout = nil
    let streaming = options
    try await call(retries: 0) { metadata in
      try await body(self.watchGRPC, metadata, streaming)
    }
  }

  /// Runs `body` with the auth token (fetched first, and once more if etcd rejects it),
  /// mapping gRPC failures to `ConfigStoreError`. A call failing as unavailable is retried
  /// `retries` times: callers only send requests that are safe to repeat (reads, and
  /// transactions guarded by mod revisions, which cannot commit twice).
  private func call<Result: Sendable>(
    retries: Int = 1, _ body: @Sendable (Metadata) async throws -> Result
  ) async throws -> Result {
    var attempt = 0
    while true {
      do {
        do {
          return try await body(try await authMetadata(refresh: false))
        } catch let error as RPCError where error.code == .unauthenticated {
          guard configuration.credentials != nil else { throw error }
          return try await body(try await authMetadata(refresh: true))
        }
      } catch let error as RPCError {
        guard error.code == .unavailable, attempt < retries else { throw map(error) }
        attempt += 1
        try await Task.sleep(for: .milliseconds(10))
      }
    }
  }

  private func authMetadata(refresh: Bool) async throws -> Metadata {
    guard let credentials = configuration.credentials else { return [:] }
    if !refresh, let token = token.withLock({ $0 }) { return ["token": .string(token)] }
    var request = Etcdserverpb_AuthenticateRequest()
    request.name = credentials.user
    request.password = credentials.password
    let response = try await Etcdserverpb_Auth.Client(wrapping: grpc).authenticate(
      request, options: options)
    token.withLock { $0 = response.token }
    return ["token": .string(response.token)]
  }

  func map(_ error: RPCError) -> ConfigStoreError {
    switch error.code {
    case .unavailable, .deadlineExceeded, .cancelled, .unknown, .internalError, .aborted:
      return .unavailable("etcd at \(configuration.endpointList) unreachable: \(error.message)")
    default:
      return .notStored("etcd refused the request (\(error.code)): \(error.message)")
    }
  }
}

extension EtcdClient {
  /// Keeps lease `id` alive: sends a keep-alive every `interval` and hands each answer's TTL
  /// to `onTTL` (0 or less: the lease is gone). Returns or throws when the stream ends.
  public func keepAlive(
    lease id: Int64, every interval: Duration,
    onTTL: @escaping @Sendable (Int64) async throws -> Void
  ) async throws {
    try await streamingCall { client, metadata, options in
      try await Etcdserverpb_Lease.Client(wrapping: client).leaseKeepAlive(
        metadata: metadata, options: options,
        requestProducer: { writer in
          while !Task.isCancelled {
            try await writer.write(Etcdserverpb_LeaseKeepAliveRequest.with { $0.id = id })
            try await Task.sleep(for: interval)
          }
        },
        onResponse: { response in
          for try await message in response.messages { try await onTTL(message.ttl) }
          throw ConfigStoreError.unavailable("etcd ended the lease keep-alive stream")
        })
    }
  }
}
