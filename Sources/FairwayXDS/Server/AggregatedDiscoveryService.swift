import FairwayProto
import GRPCCore
import GRPCProtobuf

/// `envoy.service.discovery.v3.AggregatedDiscoveryService`, registered by hand so responses go
/// out through `PassThroughSerializer` (the generated service would re-encode every message).
struct AggregatedDiscoveryService: RegistrableRPCService {
  typealias Service = Envoy_Service_Discovery_V3_AggregatedDiscoveryService

  let context: XDSContext
  let admission: TokenBucket
  /// Shared by all SotW streams: their ACKs repeat the same name lists.
  let nameLists: ResourceNameLists
  /// Streams that open with a config collection's type URL (MCP over xDS), when served.
  let collections: ConfigCollectionStreams?

  init(context: XDSContext, admission: TokenBucket, collections: ConfigCollectionStreams? = nil) {
    self.context = context
    self.admission = admission
    self.collections = collections
    self.nameLists = ResourceNameLists(byteBudget: context.config.nameListCacheBytes)
  }

  func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
    router.registerHandler(
      forMethod: Service.Method.StreamAggregatedResources.descriptor,
      deserializer: DiscoveryRequestDeserializer(
        maxBytes: context.config.maxRequestBytes,
        maxNames: context.config.maxResourceNamesPerRequest, lists: nameLists),
      serializer: PassThroughSerializer(),
      handler: { request, serverContext in
        guard let collections = self.collections else {
          return try self.serve(
            SotWStreamState.self, request: request, serverContext: serverContext)
        }
        return try self.serveSotW(
          request: request, serverContext: serverContext, collections: collections)
      })
    router.registerHandler(
      forMethod: Service.Method.DeltaAggregatedResources.descriptor,
      deserializer: LimitedProtobufDeserializer<Service.Method.DeltaAggregatedResources.Input>(
        maxBytes: context.config.maxRequestBytes),
      serializer: PassThroughSerializer(),
      handler: { request, serverContext in
        try self.serve(DeltaStreamState.self, request: request, serverContext: serverContext)
      })
  }

  private func serve<State: StreamProtocolState>(
    _: State.Type, request: StreamingServerRequest<State.Request>, serverContext: ServerContext
  ) throws -> StreamingServerResponse<EncodedMessage> {
    try admit()
    let session = StreamSession<State>(context: context)
    let peer = serverContext.remotePeer
    return StreamingServerResponse { writer in
      try await session.run(requests: request.messages, peer: peer) { message in
        try await writer.write(message)
      }
      return [:]
    }
  }

  /// A SotW stream whose first request decides who serves it: a config collection type URL
  /// goes to `collections` (an MCP sink), anything else to the proxy session as usual.
  private func serveSotW(
    request: StreamingServerRequest<SotWStreamState.Request>, serverContext: ServerContext,
    collections: ConfigCollectionStreams
  ) throws -> StreamingServerResponse<EncodedMessage> {
    try admit()
    let session = StreamSession<SotWStreamState>(context: context)
    let peer = serverContext.remotePeer
    return StreamingServerResponse { writer in
      let requests = PeekableRequests(request.messages)
      // A first request that cannot be read (refused, undecodable, a reset) goes to the proxy
      // session like any later one, so it ends the stream with the same status and log line.
      let first = try? await requests.peek()
      if let first, collections.serves(first.typeURL) {
        try await collections.serve(
          first: first, rest: RPCAsyncSequence(wrapping: requests.rest()), peer: peer
        ) { message in
          try await writer.write(message)
        }
      } else {
        try await session.run(requests: RPCAsyncSequence(wrapping: requests.all()), peer: peer) {
          message in
          try await writer.write(message)
        }
      }
      return [:]
    }
  }

  /// Refuses a stream over the stream cap or the admission rate.
  private func admit() throws {
    guard context.registry.count < context.config.maxStreams else {
      context.metrics.recordRejectedStream()
      throw RPCError(
        code: .resourceExhausted,
        message: "too many xDS streams (limit \(context.config.maxStreams)); try another replica")
    }
    guard admission.tryTake() else {
      context.metrics.recordRejectedStream()
      throw RPCError(
        code: .resourceExhausted,
        message: "too many new xDS streams per second; retry with backoff")
    }
  }
}
