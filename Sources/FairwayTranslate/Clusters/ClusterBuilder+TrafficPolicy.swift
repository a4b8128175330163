import FairwayMesh
import FairwayProto
import SwiftProtobuf

extension ClusterBuilder {
  /// Istio's load balancer mapping; grpc only implements ROUND_ROBIN and RING_HASH, so the
  /// others fall back to the nearest thing it accepts rather than being NACKed.
  func applyLoadBalancer(_ settings: LoadBalancerSettings?, to cluster: inout Cluster) {
    if let hash = settings?.consistentHash {
      if let maglev = hash.maglev, flavor == .sidecar {
        cluster.lbPolicy = .maglev
        var config = Cluster.MaglevLbConfig()
        if let size = maglev.tableSize, size > 0 {
          config.tableSize = Google_Protobuf_UInt64Value(UInt64(size))
        }
        cluster.maglevLbConfig = config
      } else {
        cluster.lbPolicy = .ringHash
        var config = Cluster.RingHashLbConfig()
        if let size = hash.ringHash?.minimumRingSize ?? hash.minimumRingSize, size > 0 {
          config.minimumRingSize = Google_Protobuf_UInt64Value(UInt64(size))
        }
        cluster.ringHashLbConfig = config
      }
      return
    }
    switch (settings?.simple?.uppercased() ?? "", flavor) {
    case (_, .grpc): cluster.lbPolicy = .roundRobin
    case ("ROUND_ROBIN", _): cluster.lbPolicy = .roundRobin
    case ("RANDOM", _): cluster.lbPolicy = .random
    default: cluster.lbPolicy = .leastRequest
    }
  }

  /// Istio starts from effectively unlimited thresholds and lowers what connectionPool sets.
  func applyCircuitBreakers(_ pool: ConnectionPoolSettings?, to cluster: inout Cluster) {
    var thresholds = Envoy_Config_Cluster_V3_CircuitBreakers.Thresholds()
    let unlimited = Google_Protobuf_UInt32Value(UInt32.max)
    thresholds.maxConnections = unlimited
    thresholds.maxPendingRequests = unlimited
    thresholds.maxRequests = unlimited
    thresholds.maxRetries = unlimited
    thresholds.trackRemaining = true
    if let value = pool?.tcp?.maxConnections, value > 0 {
      thresholds.maxConnections = Google_Protobuf_UInt32Value(UInt32(clamping: value))
    }
    if let value = pool?.http?.http1MaxPendingRequests, value > 0 {
      thresholds.maxPendingRequests = Google_Protobuf_UInt32Value(UInt32(clamping: value))
    }
    if let value = pool?.http?.http2MaxRequests, value > 0 {
      thresholds.maxRequests = Google_Protobuf_UInt32Value(UInt32(clamping: value))
    }
    if let value = pool?.http?.maxRetries, value > 0 {
      thresholds.maxRetries = Google_Protobuf_UInt32Value(UInt32(clamping: value))
    }
    cluster.circuitBreakers.thresholds = [thresholds]
  }

  static let httpProtocolOptionsKey = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"

  /// Upstream HTTP settings: HTTP/2 for gRPC and HTTP2 ports (or `h2UpgradePolicy: UPGRADE`),
  /// the client's protocol with `useClientProtocol`, idle timeout and requests per connection.
  /// grpc clients ignore these, so they only go to sidecars.
  func applyHTTPProtocolOptions(
    _ pool: ConnectionPoolSettings?, port: MeshPort, to cluster: inout Cluster
  ) {
    guard flavor == .sidecar, port.proto.isHTTP else { return }
    typealias Options = Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions
    var options = Options()
    var any = false
    let http = pool?.http
    if http?.useClientProtocol == true {
      var downstream = Options.UseDownstreamHttpConfig()
      downstream.httpProtocolOptions = .init()
      downstream.http2ProtocolOptions = .init()
      options.useDownstreamProtocolConfig = downstream
      any = true
    } else if port.proto.isHTTP2 || http?.h2UpgradePolicy?.uppercased() == "UPGRADE" {
      var explicit = Options.ExplicitHttpConfig()
      var http2 = Envoy_Config_Core_V3_Http2ProtocolOptions()
      if let streams = http?.maxConcurrentStreams, streams > 0 {
        http2.maxConcurrentStreams = Google_Protobuf_UInt32Value(UInt32(clamping: streams))
      }
      explicit.http2ProtocolOptions = http2
      options.explicitHTTPConfig = explicit
      any = true
    }
    if let idle = http?.idleTimeout.flatMap(Self.duration) {
      options.commonHTTPProtocolOptions.idleTimeout = idle
      any = true
    }
    if let value = http?.maxRequestsPerConnection, value > 0 {
      options.commonHTTPProtocolOptions.maxRequestsPerConnection =
        Google_Protobuf_UInt32Value(UInt32(clamping: value))
      any = true
    }
    guard any else { return }
    if options.upstreamProtocolOptions == nil {
      // Envoy requires upstream_protocol_options; the port speaks HTTP/1.1 here, which Istio
      // states explicitly as well.
      var explicit = Options.ExplicitHttpConfig()
      explicit.httpProtocolOptions = .init()
      options.explicitHTTPConfig = explicit
    }
    cluster.typedExtensionProtocolOptions[Self.httpProtocolOptionsKey] = .packed(options)
  }

  /// Istio's outlier detection mapping: each consecutive-error kind is enforced at 100% when
  /// set, success-rate ejection stays off.
  func applyOutlierDetection(_ settings: OutlierDetection?, to cluster: inout Cluster) {
    guard let settings else { return }
    var out = Envoy_Config_Cluster_V3_OutlierDetection()
    func enforced(_ value: Int) -> Google_Protobuf_UInt32Value {
      Google_Protobuf_UInt32Value(value > 0 ? 100 : 0)
    }
    if let value = settings.consecutiveErrors ?? settings.consecutive5xxErrors, value >= 0 {
      out.consecutive5Xx = Google_Protobuf_UInt32Value(UInt32(clamping: value))
      out.enforcingConsecutive5Xx = enforced(value)
    }
    if let value = settings.consecutiveGatewayErrors, value >= 0 {
      out.consecutiveGatewayFailure = Google_Protobuf_UInt32Value(UInt32(clamping: value))
      out.enforcingConsecutiveGatewayFailure = enforced(value)
    }
    if let interval = settings.interval.flatMap(Self.duration) { out.interval = interval }
    if let time = settings.baseEjectionTime.flatMap(Self.duration) { out.baseEjectionTime = time }
    // 0 is unset in Istio's proto3 field (istiod sets it only when > 0); sent as a wrapper it
    // would forbid every ejection.
    if let value = settings.maxEjectionPercent, value > 0 {
      out.maxEjectionPercent = Google_Protobuf_UInt32Value(UInt32(clamping: min(value, 100)))
    }
    if settings.splitExternalLocalOriginErrors == true {
      out.splitExternalLocalOriginErrors = true
      if let value = settings.consecutiveLocalOriginFailures, value >= 0 {
        out.consecutiveLocalOriginFailure = Google_Protobuf_UInt32Value(UInt32(clamping: value))
        out.enforcingConsecutiveLocalOriginFailure = enforced(value)
      }
    }
    out.enforcingSuccessRate = Google_Protobuf_UInt32Value(0)
    cluster.outlierDetection = out
  }
}

extension ClusterBuilder {
  /// DestinationRule `tls` (TLS origination): an UpstreamTlsContext transport socket, SNI
  /// defaulting to the service host. Envoy proxies only: grpc clients take TLS only from
  /// certificate providers, so they keep the plaintext cluster.
  func applyTLS(_ settings: ClientTLSSettings?, service: MeshService, to cluster: inout Cluster) {
    guard flavor == .sidecar,
      let socket = TLSContexts.upstream(
        settings, defaultSNI: service.isWildcard ? nil : service.host)
    else { return }
    cluster.transportSocket = socket
  }
}
