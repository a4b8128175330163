import Foundation

/// Builds the bootstrap a data plane needs to fetch its config from Fairway over ADS.
/// Pure values in, JSON objects out, so every flavour can be checked without a process.
struct BootstrapConfig: Sendable {
  enum Flavor: String, CaseIterable, Sendable {
    case envoy, grpc, mosn
  }

  /// The name Envoy and MOSN give the static cluster that reaches the control plane; Istio's.
  static let xdsClusterName = "xds-grpc"

  var nodeID: String
  var namespace: String
  var labels: [(String, String)]
  var cluster: String
  /// Every control-plane replica the client may use, in the order given; at least one.
  var xdsAddresses: [XDSAddress]
  var adminPort: Int?
  var interceptionMode: String? = nil
  /// Envoy's `ads_config.api_type`: GRPC (state of the world) or DELTA_GRPC.
  var adsAPIType = "GRPC"
  /// Envoy: node metadata FAIRWAY_VHDS (on-demand, up-front, off), read on Delta ADS only.
  var vhds: String? = nil
  var dubbo = DubboListeners()
  /// Node metadata AUTO_REGISTER_GROUP: the WorkloadGroup the proxy registers into.
  var autoRegisterGroup: String? = nil
  /// Node metadata NETWORK.
  var network: String? = nil
  /// `region/zone/subzone`, the node's locality.
  var locality: String? = nil

  /// MOSN's static Dubbo listeners, as in the Dubbo demo: the consumer dials the egress port,
  /// whose routes come from Fairway as RDS named after the service port; the provider's
  /// sidecar accepts on the ingress port and forwards to the application.
  struct DubboListeners: Sendable {
    var egressPort: Int?
    var routeName = "20882"
    var ingressPort: Int?
    var providerPort = 20880
  }

  /// One control-plane replica's ADS address.
  struct XDSAddress: Sendable, Equatable {
    var host: String
    var port: Int

    /// `HOST:PORT` with IPv6 hosts bracketed, as gRPC target strings want.
    var uri: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
  }

  /// The `--xds-address` values: each one `HOST:PORT` or several comma-separated; duplicates
  /// are dropped (a replica listed twice would get twice the share of round-robin picks).
  static func parseAddresses(_ values: [String]) throws -> [XDSAddress] {
    var addresses: [XDSAddress] = []
    for item in values.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
      let parsed = try parseAddress(item.trimmingCharacters(in: .whitespaces))
      let address = XDSAddress(host: parsed.host, port: parsed.port)
      if !addresses.contains(address) { addresses.append(address) }
    }
    guard !addresses.isEmpty else { throw BootstrapError("--xds-address must name HOST:PORT") }
    return addresses
  }

  /// `k=v,k=v` into ordered pairs; throws on a pair without `=` or with an empty key.
  static func parseLabels(_ text: String) throws -> [(String, String)] {
    var pairs: [(String, String)] = []
    for item in text.split(separator: ",", omittingEmptySubsequences: true) {
      let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard parts.count == 2, !parts[0].isEmpty else {
        throw BootstrapError("invalid label \"\(item)\" (want k=v,k=v)")
      }
      pairs.append((parts[0], parts[1]))
    }
    return pairs
  }

  /// `HOST:PORT` or `[IPv6]:PORT`.
  static func parseAddress(_ text: String) throws -> (host: String, port: Int) {
    let host: Substring
    let portText: Substring
    if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
      host = text[text.index(after: text.startIndex)..<close]
      let rest = text[text.index(after: close)...]
      guard rest.hasPrefix(":") else {
        throw BootstrapError("invalid --xds-address \"\(text)\" (want HOST:PORT)")
      }
      portText = rest.dropFirst()
    } else {
      guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else {
        throw BootstrapError("invalid --xds-address \"\(text)\" (want HOST:PORT or [IPv6]:PORT)")
      }
      host = text[..<colon]
      portText = text[text.index(after: colon)...]
    }
    guard !host.isEmpty, !host.contains(where: \.isWhitespace),
      let port = Int(portText), (1...65535).contains(port)
    else {
      throw BootstrapError(
        "invalid --xds-address \"\(text)\" (want HOST:PORT with a port in 1...65535)")
    }
    return (String(host), port)
  }

  static func isIPLiteral(_ host: String) -> Bool {
    var v4 = in_addr()
    var v6 = in6_addr()
    return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
  }

  var labelObject: [String: String] {
    Dictionary(labels, uniquingKeysWith: { _, last in last })
  }

  func build(_ flavor: Flavor) -> [String: Any] {
    switch flavor {
    case .envoy: return envoy()
    case .grpc: return grpc()
    case .mosn: return mosn()
    }
  }

  /// Envoy v3: ADS over an HTTP/2 static cluster, LDS and CDS from ADS (EDS and RDS follow
  /// from what those resources name).
  func envoy() -> [String: Any] {
    var metadata: [String: Any] = ["NAMESPACE": namespace, "LABELS": labelObject]
    if let interceptionMode { metadata["INTERCEPTION_MODE"] = interceptionMode }
    if let autoRegisterGroup { metadata["AUTO_REGISTER_GROUP"] = autoRegisterGroup }
    if let network { metadata["NETWORK"] = network }
    if let vhds { metadata["FAIRWAY_VHDS"] = vhds }
    var node: [String: Any] = ["id": nodeID, "cluster": cluster, "metadata": metadata]
    if let locality {
      let parts = locality.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
      var fields: [String: String] = [:]
      for (key, value) in zip(["region", "zone", "sub_zone"], parts) where !value.isEmpty {
        fields[key] = value
      }
      node["locality"] = fields
    }
    var bootstrap: [String: Any] = [
      "node": node,
      "dynamic_resources": [
        "ads_config": [
          "api_type": adsAPIType,
          "transport_api_version": "V3",
          "set_node_on_first_message_only": true,
          "grpc_services": [
            [
              "envoy_grpc": [
                "cluster_name": Self.xdsClusterName,
                // The ADS stream is re-opened after this (jittered) backoff, and the
                // cluster's round robin sends each attempt to the next replica: a dead one
                // costs a fraction of a second, not Envoy's default 500 ms doubling to 30 s.
                "retry_policy": [
                  "retry_back_off": ["base_interval": "0.25s", "max_interval": "10s"]
                ],
              ] as [String: Any]
            ]
          ],
        ],
        "lds_config": ["ads": [String: Any](), "resource_api_version": "V3"],
        "cds_config": ["ads": [String: Any](), "resource_api_version": "V3"],
      ],
      "static_resources": ["clusters": [xdsCluster(keepalive: true)]],
    ]
    if let adminPort {
      bootstrap["admin"] = [
        "address": ["socket_address": ["address": "127.0.0.1", "port_value": adminPort]]
      ]
    }
    return bootstrap
  }

  /// The control plane as an Envoy v3 Cluster: one endpoint per replica, STATIC when every
  /// host is an IP, STRICT_DNS otherwise, and HTTP/2 because ADS is gRPC. With `keepalive`
  /// (Envoy's advice for the management server's cluster) a replica that vanishes without
  /// closing its connections (host down, partition) is noticed in about 40 s instead of the
  /// kernel's two hours: an HTTP/2 PING every 30 s answered within 10 s, and TCP keepalive.
  func xdsCluster(keepalive: Bool = false) -> [String: Any] {
    let protocolOptionsType = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
    var http2: [String: Any] = [:]
    var cluster: [String: Any] = [
      "name": Self.xdsClusterName,
      "type": xdsAddresses.allSatisfy { Self.isIPLiteral($0.host) } ? "STATIC" : "STRICT_DNS",
      "connect_timeout": "1s",
      "lb_policy": "ROUND_ROBIN",
      "load_assignment": [
        "cluster_name": Self.xdsClusterName,
        "endpoints": [
          [
            "lb_endpoints": xdsAddresses.map { address in
              [
                "endpoint": [
                  "address": [
                    "socket_address": ["address": address.host, "port_value": address.port]
                  ]
                ]
              ]
            }
          ]
        ],
      ],
    ]
    if keepalive {
      http2["connection_keepalive"] = ["interval": "30s", "timeout": "10s"]
      cluster["upstream_connection_options"] = [
        "tcp_keepalive": ["keepalive_time": 30, "keepalive_interval": 5, "keepalive_probes": 3]
      ]
    }
    cluster["typed_extension_protocol_options"] = [
      protocolOptionsType: [
        "@type": "type.googleapis.com/\(protocolOptionsType)",
        "explicit_http_config": ["http2_protocol_options": http2],
      ]
    ]
    return cluster
  }

  /// grpc's xDS bootstrap (`GRPC_XDS_BOOTSTRAP` / `GRPC_XDS_BOOTSTRAP_CONFIG`). `GENERATOR: grpc`
  /// is how Fairway, like istiod, recognises a proxyless client. Every replica is an entry of
  /// `xds_servers`, in priority order: gRPC with xDS fallback (gRFC A71) moves to the next one
  /// when the current one is unreachable; older clients use the first only.
  func grpc() -> [String: Any] {
    [
      "xds_servers": xdsAddresses.map { address in
        [
          "server_uri": address.uri,
          "channel_creds": [["type": "insecure"]],
          "server_features": ["xds_v3"],
        ] as [String: Any]
      },
      "node": [
        "id": nodeID,
        "cluster": cluster,
        "metadata": ["GENERATOR": "grpc", "NAMESPACE": namespace, "LABELS": labelObject]
          as [String: Any],
      ],
    ]
  }

  /// MOSN's config: `dynamic_resources` and `static_resources` in Envoy v3's shape (MOSN hands
  /// them to its xDS client; the xds-grpc cluster lists every replica, without Envoy's newer
  /// keepalive fields, which MOSN's older copy of the protos may not know), one idle server, and MOSN's admin port. MOSN takes its node
  /// identity from `--service-node`/`--service-cluster`/`--service-meta`, so the node is
  /// also printed as `node` for reference and `FAIRWAY_PROXY: mosn` marks the client.
  func mosn() -> [String: Any] {
    var metadata: [String: Any] = ["NAMESPACE": namespace, "LABELS": labelObject]
    metadata["FAIRWAY_PROXY"] = "mosn"
    if let interceptionMode { metadata["INTERCEPTION_MODE"] = interceptionMode }
    let dubbo = mosnDubbo()
    return [
      "servers": [
        [
          "default_log_path": "stdout",
          "default_log_level": "INFO",
          "routers": dubbo.routers,
          "listeners": dubbo.listeners,
        ]
      ],
      "cluster_manager": ["clusters": dubbo.clusters],
      "dynamic_resources": [
        "ads_config": [
          "api_type": "GRPC",
          "transport_api_version": "V3",
          "grpc_services": [["envoy_grpc": ["cluster_name": Self.xdsClusterName]]],
        ],
        "lds_config": ["ads": [String: Any](), "resource_api_version": "V3"],
        "cds_config": ["ads": [String: Any](), "resource_api_version": "V3"],
      ],
      "static_resources": ["clusters": [xdsCluster()]],
      "admin": [
        "address": ["socket_address": ["address": "127.0.0.1", "port_value": adminPort ?? 34901]]
      ],
      "node": ["id": nodeID, "cluster": cluster, "metadata": metadata],
    ]
  }
}

extension BootstrapConfig {
  static let dubboProviderCluster = "dubbo_provider"
  static let dubboIngressRoute = "dubbo_ingress"

  /// MOSN's own (non-xDS) config for the Dubbo listeners: the egress listener routes by the
  /// RDS config Fairway serves; the ingress listener by a static route to the local provider.
  func mosnDubbo() -> (listeners: [Any], routers: [Any], clusters: [Any]) {
    func listener(_ name: String, _ port: Int, route: String) -> [String: Any] {
      [
        "name": name,
        "address": "0.0.0.0:\(port)",
        "bind_port": true,
        "filter_chains": [
          [
            "filters": [
              [
                "type": "proxy",
                "config": [
                  "downstream_protocol": "dubbo",
                  "upstream_protocol": "dubbo",
                  "router_config_name": route,
                ] as [String: Any],
              ] as [String: Any]
            ]
          ]
        ],
      ]
    }
    var listeners: [Any] = []
    var routers: [Any] = []
    var clusters: [Any] = []
    if let egress = dubbo.egressPort {
      listeners.append(listener("dubbo_egress", egress, route: dubbo.routeName))
    }
    if let ingress = dubbo.ingressPort {
      listeners.append(listener("dubbo_ingress", ingress, route: Self.dubboIngressRoute))
      routers.append(
        [
          "router_config_name": Self.dubboIngressRoute,
          "virtual_hosts": [
            [
              "name": "provider",
              "domains": ["*"],
              "routers": [
                [
                  "match": ["headers": [["name": "service", "value": ".*", "regex": true]]],
                  "route": ["cluster_name": Self.dubboProviderCluster],
                ] as [String: Any]
              ],
            ] as [String: Any]
          ],
        ] as [String: Any])
      clusters.append(
        [
          "name": Self.dubboProviderCluster,
          "type": "SIMPLE",
          "lb_type": "LB_RANDOM",
          "hosts": [["address": "127.0.0.1:\(dubbo.providerPort)"]],
        ] as [String: Any])
    }
    return (listeners, routers, clusters)
  }
}

/// A bootstrap argument that cannot be used; printed as the command's error.
struct BootstrapError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
