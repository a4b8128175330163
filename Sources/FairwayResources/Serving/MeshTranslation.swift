/// The mesh translated into xDS resources at one store revision, as the ADS server serves it:
/// what go-control-plane calls a snapshot in its cache. Published whole by the push coordinator
/// and read by every stream, so it must be immutable once published and safe to read from any
/// task. A class: streams hold it by reference and the hot path reads it once per response.
///
/// The server knows translations only through this protocol; how they are made is the job of
/// a `MeshTranslationEngine`.
public protocol MeshTranslation: AnyObject, Sendable {
  /// The store revision this translation is of (0 for the empty mesh before startup).
  var revision: Int64 { get }

  /// Every resource of `type` that `proxy` should have.
  ///
  /// `requestedNames` limits the result to those names when not nil. For a proxyless gRPC
  /// client's listeners and route configs the names are what it asked for (`HOST:PORT`),
  /// which the translation builds on demand; nil there means every one it could ask for.
  /// For VirtualHost (VHDS) the names are the stream's subscription, resolved here: `PORT/HOST`
  /// is the virtual host answering HOST, `*` beside them the wildcard (nil: the wildcard alone).
  /// Called for every stream on every push: keep it a cache lookup once a view has been seen.
  func resources(for proxy: Proxy, type: XDSResourceType, requestedNames: ResourceNames?)
    -> ResourceSet

  /// Everything `proxy` (connected or hypothetical) would be sent, for `/debug/config_dump`.
  /// For a proxyless gRPC client, `grpcTargets` limits listeners and route configs to the
  /// targets it dialled (nil: all). The default assembles it from `resources(for:type:requestedNames:)`.
  func configDump(for proxy: Proxy, grpcTargets: Set<String>?) -> ConfigDump

  /// EDS cluster names whose assignments may differ between `previous` and this translation
  /// (added, removed or changed): the only ones an endpoint-only push has to send. nil when
  /// that cannot be told (then every assignment is sent).
  func endpointClustersChanged(since previous: any MeshTranslation) -> Set<String>?

  /// Whether a change of `reach` can alter what `proxy` is sent (as this translation scopes
  /// it); the server pushes nothing to a proxy it does not reach.
  func reaches(_ proxy: Proxy, _ reach: ProxyReach) -> Bool
}

extension MeshTranslation {
  /// Translations that do not scope proxies are reached by every change.
  public func reaches(_ proxy: Proxy, _ reach: ProxyReach) -> Bool { true }
}

extension MeshTranslation {
  /// Every resource `proxy` would be sent, as Envoy's config dump groups them.
  public func configDump(for proxy: Proxy, grpcTargets: Set<String>?) -> ConfigDump {
    let named = proxy.client == .grpc ? grpcTargets.map(ResourceNames.init) : nil
    return ConfigDump(
      clusters: resources(for: proxy, type: .cluster, requestedNames: nil),
      endpoints: resources(for: proxy, type: .endpoint, requestedNames: nil),
      listeners: resources(for: proxy, type: .listener, requestedNames: named),
      routes: resources(for: proxy, type: .route, requestedNames: named),
      dubboRoutes: resources(for: proxy, type: .dubboRoute, requestedNames: nil))
  }

  /// Everything `proxy` would be sent, every gRPC target included.
  public func configDump(for proxy: Proxy) -> ConfigDump {
    configDump(for: proxy, grpcTargets: nil)
  }
}
