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

  init(context: XDSContext, admission: TokenBucket) {
    self.context = context
    self.admission = admission
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
        try self.serve(SotWStreamState.self, request: request, serverContext: serverContext)
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
    let session = StreamSession<State>(context: context)
    let peer = serverContext.remotePeer
    return StreamingServerResponse { writer in
      try await session.run(requests: request.messages, peer: peer) { message in
        try await writer.write(message)
      }
      return [:]
    }
  }
}
