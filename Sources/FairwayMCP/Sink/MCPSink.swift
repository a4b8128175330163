import FairwayMesh
import FairwayProto
import FairwayStore
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import ServiceLifecycle
import SwiftProtobuf
import Synchronization

/// `fairway serve --config-source xds://HOST:PORT`: an MCP-over-xDS sink. It keeps one ADS
/// (SotW) stream to the source, asks for every collection in `MCPCollection.all`, and applies
/// each response as the full set of its kind: creates, updates and deletes relative to what
/// this source already owns in the store, the objects marked with
/// `ConfigOwnership.sourceAnnotation`. A response with any resource that does not decode or
/// validate is NACKed (the field path in `error_detail`) and changes nothing. When the stream
/// ends it reconnects with bounded backoff; the store keeps the last applied sets meanwhile.
public final class MCPSink: Service, Sendable {
  /// `xds://HOST:PORT`, also the ownership annotation's value.
  public let source: String
  private let host: String
  private let port: Int
  private let store: any ConfigStore
  private let logger: Logger
  private let maxBackoff: Duration
  private let states = Mutex<[MCPCollection: MCPSinkTypeState]>([:])

  /// - Parameter address: `xds://HOST:PORT` (IPv4 or a name).
  public init(
    address: String, store: any ConfigStore, logger: Logger, maxBackoff: Duration = .seconds(5)
  ) throws(MCPSinkProblem) {
    guard let (host, port) = Self.parse(address) else {
      throw MCPSinkProblem("--config-source \(address): expected xds://HOST:PORT")
    }
    self.source = "xds://\(host):\(port)"
    self.host = host
    self.port = port
    self.store = store
    self.logger = logger
    self.maxBackoff = maxBackoff
  }

  /// `(host, port)` of `xds://HOST:PORT`, or nil.
  public static func parse(_ address: String) -> (String, Int)? {
    guard address.hasPrefix("xds://") else { return nil }
    let rest = address.dropFirst("xds://".count)
    guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
      (1...65535).contains(port)
    else { return nil }
    let host = String(rest[..<colon])
    guard !host.isEmpty, !host.contains("/") else { return nil }
    return (host, port)
  }

  /// Each collection's state, for tests and logs.
  public var typeStates: [MCPCollection: MCPSinkTypeState] { states.withLock { $0 } }

  /// Streams until cancelled or graceful shutdown, reconnecting with backoff.
  public func run() async throws {
    try await cancelWhenGracefulShutdown {
      try await self.connectForever()
    }
  }

  private func connectForever() async throws {
    let transport = try HTTP2ClientTransport.Posix(
      target: .dns(host: host, port: port), transportSecurity: .plaintext,
      config: .defaults { config in
        config.backoff.initial = .milliseconds(50)
        config.backoff.max = maxBackoff
        config.http2.targetWindowSize = 8 * 1024 * 1024
      })
    try await withGRPCClient(transport: transport) { client in
      let ads = Envoy_Service_Discovery_V3_AggregatedDiscoveryService.Client(wrapping: client)
      var backoff = Duration.milliseconds(100)
      while !Task.isCancelled {
        let started = ContinuousClock.now
        do {
          try await self.stream(ads)
          self.logger.notice("MCP source ended the stream", metadata: ["source": "\(self.source)"])
        } catch is CancellationError {
          return
        } catch {
          self.logger.warning(
            "MCP source stream failed", metadata: ["source": "\(self.source)", "error": "\(error)"])
        }
        self.closeStream()
        // A stream that lived a while was healthy: start the backoff over.
        if ContinuousClock.now - started > .seconds(10) { backoff = .milliseconds(100) }
        try? await Task.sleep(for: backoff)
        backoff = min(backoff * 2, self.maxBackoff)
      }
    }
  }

  private func closeStream() {
    states.withLock { states in
      for collection in MCPCollection.all {
        var state = states[collection] ?? .initial
        _ = state.handle(.streamClosed)
        states[collection] = state
      }
    }
  }

  private func stream(
    _ ads: Envoy_Service_Discovery_V3_AggregatedDiscoveryService.Client<HTTP2ClientTransport.Posix>
  ) async throws {
    let (requests, outbox) = AsyncStream.makeStream(
      of: Envoy_Service_Discovery_V3_DiscoveryRequest.self)
    let node = Self.node
    var options = CallOptions.defaults
    options.maxResponseMessageBytes = 256 * 1024 * 1024
    options.maxRequestMessageBytes = 256 * 1024 * 1024
    let request = StreamingClientRequest<Envoy_Service_Discovery_V3_DiscoveryRequest>(producer: {
      writer in
      for await message in requests { try await writer.write(message) }
    })
    defer { outbox.finish() }
    // The first requests go out before any response arrives: a server may hold its response
    // headers until it has something to send (grpcio does), and the response handler below
    // runs only once they arrive.
    var first = true
    for collection in MCPCollection.all {
      for action in transition(collection, .streamOpened) {
        if case .request(let version, let nonce, let error) = action {
          var message = Self.request(collection, version: version, nonce: nonce, error: error)
          if first { message.node = node }
          first = false
          outbox.yield(message)
        }
      }
    }
    try await ads.streamAggregatedResources(request: request, options: options) { response in
      for try await message in response.messages {
        guard let collection = MCPCollection(typeURL: message.typeURL) else {
          self.logger.debug(
            "MCP source sent an unrequested type", metadata: ["type": "\(message.typeURL)"])
          continue
        }
        for request in await self.receive(message, collection: collection) {
          outbox.yield(request)
        }
      }
    }
  }

  /// Handles one response; returns the requests (ACK or NACK) to send.
  func receive(_ response: Envoy_Service_Discovery_V3_DiscoveryResponse, collection: MCPCollection)
    async -> [Envoy_Service_Discovery_V3_DiscoveryRequest]
  {
    var decoded: [ConfigObject] = []
    var problem: String?
    do {
      decoded = try Self.decode(response.resources, collection: collection)
    } catch {
      problem = error.description
    }
    var pending = transition(
      collection, .response(version: response.versionInfo, nonce: response.nonce, problem: problem))
    var out: [Envoy_Service_Discovery_V3_DiscoveryRequest] = []
    while let action = pending.first {
      pending.removeFirst()
      switch action {
      case .request(let version, let nonce, let error):
        if let error {
          logger.warning(
            "NACK of an MCP response",
            metadata: ["source": "\(source)", "type": "\(collection)", "error": "\(error)"])
        }
        out.append(Self.request(collection, version: version, nonce: nonce, error: error))
      case .apply(let version):
        let outcome = await apply(decoded, collection: collection, version: version)
        pending += transition(collection, .applied(problem: outcome))
      }
    }
    return out
  }

  private func transition(_ collection: MCPCollection, _ event: MCPSinkTypeState.Event)
    -> [MCPSinkTypeState.Action]
  {
    states.withLock { states in
      var state = states[collection] ?? .initial
      let actions = state.handle(event)
      states[collection] = state
      return actions
    }
  }

  /// Applies the full set `objects` of one kind; nil on success, else why nothing changed.
  private func apply(_ objects: [ConfigObject], collection: MCPCollection, version: String) async
    -> String?
  {
    let stored = await store.list(kind: collection.kind, namespace: nil)
    let batch: MCPSinkBatch
    do {
      batch = try MCPSinkBatch.plan(incoming: objects, stored: stored, source: source)
    } catch {
      return error.description
    }
    do {
      if !batch.upserts.isEmpty { try await store.apply(batch.upserts) }
    } catch {
      return "the store refused the set: \(error)"
    }
    for key in batch.deletes {
      do {
        try await store.delete(key)
      } catch ConfigStoreError.notFound {
        continue
      } catch {
        logger.error(
          "MCP sink could not delete", metadata: ["key": "\(key)", "error": "\(error)"])
      }
    }
    logger.info(
      "applied MCP collection",
      metadata: [
        "source": "\(source)", "type": "\(collection)", "version": "\(version)",
        "resources": "\(objects.count)", "changed": "\(batch.upserts.count)",
        "deleted": "\(batch.deletes.count)",
      ])
    return nil
  }

  /// Decodes and validates every resource of a response.
  ///
  /// - Throws: `MCPSinkProblem` naming the resource and the field.
  public static func decode(_ resources: [Google_Protobuf_Any], collection: MCPCollection)
    throws(MCPSinkProblem) -> [ConfigObject]
  {
    var documents: [JSONValue] = []
    documents.reserveCapacity(resources.count)
    for (index, resource) in resources.enumerated() {
      do {
        documents.append(
          try MCPResourceCodec.document(from: resource, collection: collection, index: index))
      } catch {
        throw MCPSinkProblem(error.description)
      }
    }
    do {
      return try ConfigParser().objects(from: documents).objects
    } catch let error as ConfigValidationError {
      throw MCPSinkProblem(error.issues.map(\.description).joined(separator: "; "))
    } catch {
      throw MCPSinkProblem("\(error)")
    }
  }

  /// Who the sink is, on the first request of each stream.
  static var node: Envoy_Config_Core_V3_Node {
    var node = Envoy_Config_Core_V3_Node()
    node.id = "fairway-mcp-sink~\(ProcessInfo.processInfo.hostName)"
    return node
  }

  static func request(
    _ collection: MCPCollection, version: String, nonce: String, error: String?
  ) -> Envoy_Service_Discovery_V3_DiscoveryRequest {
    var request = Envoy_Service_Discovery_V3_DiscoveryRequest()
    request.typeURL = collection.typeURL
    request.versionInfo = version
    request.responseNonce = nonce
    if let error {
      var status = Google_Rpc_Status()
      status.code = 3  // INVALID_ARGUMENT, as Envoy NACKs
      status.message = error
      request.errorDetail = status
    }
    return request
  }
}
