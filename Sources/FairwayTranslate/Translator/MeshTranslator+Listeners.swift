import FairwayMesh
import FairwayProto
import FairwayResources

extension MeshTranslator {
  /// A gateway proxy's listeners and routes, built together once per view.
  private func gatewayOutput(view: ProxyView) -> GatewayBuilder.Output {
    if let cached = caches.withLock({ $0.gatewayOutputs[view] }) { return cached }
    let built = GatewayBuilder(index: index, view: view).build()
    caches.withLock { $0.gatewayOutputs[view] = built }
    return built
  }

  func listeners(view: ProxyView) -> [EncodedResource] {
    if view.kind == .router, view.client == .envoy {
      return gatewayOutput(view: view).listeners.compactMap { Self.encode($0.name, .listener, $0) }
    }
    if view.client == .grpc {
      return grpcNamed(view: view, type: .listener, names: Set(grpcTargets(view: view)))
    }
    guard view.kind == .sidecar else { return [] }
    let key = OutboundKey(view: view, index: index)
    // A VHDS view's listeners do not depend on its routes (see `httpListener`).
    let routeConfigs = view.routeDelivery.usesVHDS ? [] : sidecarRouteConfigs(view: view, key: key)
    let builder = ListenerBuilder(
      index: index, view: view,
      faultRouteConfigs: Set(routeConfigs.filter(\.usesFault).map(\.name)),
      corsRouteConfigs: Set(routeConfigs.filter(\.usesCors).map(\.name)))
    var outbound = caches.withLock { $0.outboundListeners[key] }
    if outbound == nil {
      let built = builder.outboundListeners().compactMap { Self.encode($0.name, .listener, $0) }
      caches.withLock { $0.outboundListeners[key] = built }
      outbound = built
    }
    let own = ownListeners(view: view, builder: builder)
    guard !own.reservedPorts.isEmpty else { return (outbound ?? []) + own.encoded }
    // Without interception both sides bind real ports: the workload's own ports win over an
    // outbound listener on the same port, which could not bind.
    return (outbound ?? []).filter { listener in
      guard let port = listener.name.split(separator: "_").last.flatMap({ UInt32($0) }) else {
        return true
      }
      return !own.reservedPorts.contains(port)
    } + own.encoded
  }

  /// The pod's own listeners, shared by every pod (and translation) with the same inputs.
  private func ownListeners(view: ProxyView, builder: ListenerBuilder) -> OwnListeners {
    let instances = InboundBuilder(index: index, view: view).instances()
    let key = InboundListenerKey(
      view: view, instances: instances,
      registryOnly: index.sidecarScope(for: view)?.registryOnly ?? false)
    if let cached = caches.withLock({ $0.ownListeners[key] }) { return cached }
    let listeners = builder.inboundAndCaptureListeners(instances)
    let built = OwnListeners(
      encoded: listeners.compactMap { Self.encode($0.name, .listener, $0) },
      reservedPorts: builder.reservedPorts(instances))
    caches.withLock { $0.ownListeners[key] = built }
    return built
  }

  func routes(view: ProxyView) -> [EncodedResource] {
    if view.kind == .router, view.client == .envoy {
      return gatewayOutput(view: view).routes.compactMap {
        Self.encode($0.config.name, .route, $0.config)
      }
    }
    if view.client == .grpc {
      return grpcNamed(view: view, type: .route, names: Set(grpcTargets(view: view)))
    }
    let key = OutboundKey(view: view, index: index)
    if view.routeDelivery.usesVHDS { return vhdsRouteConfigs(view: view, key: key) }
    return sidecarRouteConfigs(view: view, key: key).map(\.resource)
  }

  /// Envoy sidecars' Dubbo routes (`drds`); MOSN takes them as RDS, grpc has no Dubbo.
  func dubboRoutes(view: ProxyView) -> [EncodedResource] {
    guard view.kind == .sidecar, view.client == .envoy else { return [] }
    return DubboRouteBuilder(index: index, view: view).routeConfigs().compactMap {
      Self.encode($0.name, .dubboRoute, $0)
    }
  }

  /// Every `HOST:PORT` a grpc client in this view could dial (used when it asks for all).
  func grpcTargets(view: ProxyView) -> [String] {
    index.visibleServices(for: view).flatMap { service in
      service.ports.map { "\(service.host):\($0.number)" }
    }
  }

  /// grpc listeners or route configs by the names the client asked for, cached per outbound
  /// key (shared by every pod with the same namespace and route-relevant labels).
  func grpcNamed(view: ProxyView, type: XDSResourceType, names: Set<String>) -> [EncodedResource] {
    let key = OutboundKey(view: view, index: index)
    let cached = caches.withLock { $0.grpcNamed[key]?[type] ?? [:] }
    var result: [EncodedResource] = []
    var built: [String: EncodedResource?] = [:]
    let builder = RouteBuilder(index: index, view: view)
    for name in names.sorted() {
      if let hit = cached[name] {
        if let hit { result.append(hit) }
        continue
      }
      var encoded: EncodedResource?
      if let routes = builder.grpcRouteConfig(name: name) {
        switch type {
        case .listener:
          let listener = GRPCListenerBuilder.listener(name: name, usesFault: routes.usesFault)
          encoded = Self.encode(name, .listener, listener)
        case .route:
          encoded = Self.encode(name, .route, routes.config)
        default:
          encoded = nil
        }
      }
      built[name] = encoded
      if let encoded { result.append(encoded) }
    }
    if !built.isEmpty {
      caches.withLock { caches in
        caches.grpcNamed[key, default: [:]][type, default: [:]].merge(built) { old, _ in old }
      }
    }
    return result
  }
}
