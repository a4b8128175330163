import FairwayResources

/// The shape of the outbound clusters a client can take. Envoy and MOSN share one; proxyless
/// gRPC rejects several cluster types and load balancers, so it gets its own.
enum ClientFlavor: Sendable, Hashable, CaseIterable {
  case sidecar
  case grpc

  init(_ client: Proxy.Client) {
    self = client == .grpc ? .grpc : .sidecar
  }
}
