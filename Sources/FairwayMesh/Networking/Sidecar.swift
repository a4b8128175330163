/// `networking.istio.io` Sidecar spec: what a sidecar proxy sees and accepts. `egress` limits
/// the services it gets (and is pushed) to the hosts listed, `ingress` declares the ports it
/// accepts on, `outboundTrafficPolicy` decides where unknown destinations go.
public struct Sidecar: Sendable, Equatable, Codable {
  public var workloadSelector: WorkloadSelector?
  public var ingress: [IstioIngressListener]?
  public var egress: [IstioEgressListener]?
  public var outboundTrafficPolicy: OutboundTrafficPolicy?

  public init() {}

  /// A port the sidecar accepts traffic on, and where it forwards it.
  public struct IstioIngressListener: Sendable, Equatable, Codable {
    public var port: SidecarPort?
    public var bind: String?
    /// `DEFAULT`, `IPTABLES` or `NONE`.
    public var captureMode: String?
    /// `127.0.0.1:PORT`, `0.0.0.0:PORT` or `unix://PATH`.
    public var defaultEndpoint: String?

    public init() {}
  }

  /// Hosts the sidecar may reach, optionally on one port.
  public struct IstioEgressListener: Sendable, Equatable, Codable {
    public var port: SidecarPort?
    public var bind: String?
    public var captureMode: String?
    /// `namespace/dnsName`: namespace a name, `.`, `*` or `~`; dnsName a name, `*` or `*.suffix`.
    public var hosts: [String]?

    public init() {}
  }

  /// A port of an ingress or egress listener.
  public struct SidecarPort: Sendable, Equatable, Codable {
    public var number: Int?
    public var `protocol`: String?
    public var name: String?
    public var targetPort: Int?

    public init() {}
  }

  /// Where traffic to destinations outside the registry goes.
  public struct OutboundTrafficPolicy: Sendable, Equatable, Codable {
    /// `ALLOW_ANY` (Istio's default) or `REGISTRY_ONLY`.
    public var mode: String?

    public init() {}
  }
}
