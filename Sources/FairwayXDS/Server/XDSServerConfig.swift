/// Everything about the ADS server an operator can set; defaults follow istiod where it has one.
public struct XDSServerConfig: Sendable {
  public var host = "127.0.0.1"
  /// 0 picks a free port (tests).
  public var port = 15010
  /// HTTP/2 streams per connection; swift-nio-http2's default of 100 would GOAWAY the 101st.
  public var maxConcurrentStreams = 10_000
  /// Clients may ping this often without GOAWAY; Envoy and grpc ping while streams are open.
  var minPingInterval: Duration = .seconds(5)
  var maxGraceTime: Duration = .seconds(5)
  public var maxRequestBytes = 4 * 1024 * 1024
  /// Pushes wait for this much quiet…
  public var debounceQuiet: Duration = .milliseconds(100)
  /// …but no longer than this after the first change.
  public var debounceMax: Duration = .seconds(10)
  /// Endpoint-only changes are pushed without waiting for quiet.
  public var endpointsSkipDebounce = false
  /// New streams admitted per second (token bucket refill) and burst size.
  public var newStreamsPerSecond: Double = 1_000
  public var newStreamBurst: Double = 2_000
  /// TCP connections open at once; more are closed on accept.
  public var maxConnections = 20_000
  /// ADS streams open at once, over all connections; more are refused with RESOURCE_EXHAUSTED.
  public var maxStreams = 100_000
  /// Resource names one request may carry; more fail the stream with INVALID_ARGUMENT.
  public var maxResourceNamesPerRequest = 100_000
  /// Names one stream may subscribe to over all types (Delta subscriptions add up over
  /// requests); more fail the stream with RESOURCE_EXHAUSTED.
  public var maxSubscribedNamesPerStream = 200_000
  /// UTF-8 bytes of those names.
  public var maxSubscribedBytesPerStream = 16 * 1024 * 1024
  /// Estimated bytes the shared cache of decoded SotW name lists may hold.
  var nameListCacheBytes = 64 * 1024 * 1024
  /// A connection with no open stream (including one that never sends a byte) is closed after
  /// this long (GOAWAY, then `maxGraceTime`); nil keeps it.
  public var connectionIdleTimeout: Duration? = .seconds(60)
  /// The server pings a connection this long after it last read from it…
  public var keepaliveTime: Duration = .seconds(30)
  /// …and closes it when the ping is not answered within this.
  public var keepaliveTimeout: Duration = .seconds(10)
  /// Connections are closed gracefully at this age (clients reconnect, spreading load over
  /// replicas); nil keeps them, as istiod does by default.
  public var maxConnectionAge: Duration?
  /// TLS for ADS; nil serves plaintext (loopback defaults).
  public var tls: TLSSettings?
  /// After this long without a response, freed memory goes back to the OS (`HeapTrimmer`);
  /// nil keeps it in the allocator.
  public var heapTrimQuiet: Duration? = .seconds(1)
  /// Bytes of responses written and not yet acknowledged, over all streams, above which a
  /// stream with nothing in flight waits to write (`PushThrottle`); nil writes at once.
  /// Released by ACKs, so the window must cover the proxies' apply time: 64 MiB holds about
  /// 170 route configurations of 1,000 virtual hosts, which at 20 ms per ACK still passes
  /// 8,000 such responses a second.
  public var pushWindowBytes: Int? = 64 * 1024 * 1024
  /// An unacknowledged response stops counting against the window after this long.
  public var pushLease: Duration = .seconds(1)
  /// `control_plane.identifier` in every response.
  var controlPlaneIdentifier = "fairway"

  public init() {}
}

/// Certificates for the ADS port, re-read from disk every `reloadInterval` so rotated
/// certificates apply to new connections without a restart.
public struct TLSSettings: Sendable {
  public var certificatePath: String
  public var privateKeyPath: String
  /// With a client CA, clients must present a certificate it signed (mTLS).
  public var clientCAPath: String?
  public var reloadInterval: Duration

  public init(
    certificatePath: String, privateKeyPath: String, clientCAPath: String? = nil,
    reloadInterval: Duration = .seconds(30)
  ) {
    self.certificatePath = certificatePath
    self.privateKeyPath = privateKeyPath
    self.clientCAPath = clientCAPath
    self.reloadInterval = reloadInterval
  }
}
