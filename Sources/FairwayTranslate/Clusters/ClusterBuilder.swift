import FairwayMesh
import FairwayProto
import SwiftProtobuf

/// Builds outbound clusters for one client flavour. Pure: the same index gives the same clusters.
struct ClusterBuilder: Sendable {
  typealias Cluster = Envoy_Config_Cluster_V3_Cluster

  /// Istio's default connect timeout.
  static let defaultConnectTimeout = Google_Protobuf_Duration(seconds: 10)

  let index: MeshIndex
  let flavor: ClientFlavor

  /// Every outbound cluster of every service: one per port plus one per subset and port.
  func outboundClusters() -> [Cluster] {
    var clusters: [Cluster] = []
    for service in index.services {
      clusters += outboundClusters(for: service)
    }
    return clusters
  }

  func outboundClusters(for service: MeshService) -> [Cluster] {
    outboundClusters(for: service, rule: index.destinationRule(host: service.host))
  }

  /// The service's clusters under `rule`, the DestinationRule one client namespace applies.
  func outboundClusters(for service: MeshService, rule: DestinationRule?) -> [Cluster] {
    var clusters: [Cluster] = []
    for port in service.ports {
      if let cluster = cluster(service: service, port: port, subset: nil, rule: rule) {
        clusters.append(cluster)
      }
      for subset in rule?.subsets ?? [] {
        guard let name = subset.name, !name.isEmpty else { continue }
        if let cluster = cluster(service: service, port: port, subset: subset, rule: rule) {
          clusters.append(cluster)
        }
      }
    }
    return clusters
  }

  func cluster(service: MeshService, port: MeshPort, subset: Subset?, rule: DestinationRule?)
    -> Cluster?
  {
    var cluster = Cluster()
    cluster.name = ClusterName.outbound(
      port: port.number, subset: subset?.name ?? "", host: service.host)
    let policy = EffectivePolicy(rule: rule, subset: subset, port: port.number)
    cluster.connectTimeout =
      policy.connectionPool?.tcp?.connectTimeout.flatMap(Self.duration)
      ?? Self.defaultConnectTimeout

    switch service.resolution {
    case .staticIPs:
      cluster.type = .eds
      cluster.edsClusterConfig = Self.adsEDSConfig(serviceName: cluster.name)
    case .dns:
      if flavor == .grpc {
        // grpc has no STRICT_DNS; LOGICAL_DNS with one name is what it resolves.
        guard let first = service.endpoints.first(where: { $0.unixSocketPath == nil }) else {
          return nil
        }
        cluster.type = .logicalDns
        cluster.dnsLookupFamily = .v4Only
        cluster.loadAssignment = Self.dnsLoadAssignment(
          name: cluster.name, endpoints: [first], port: port)
      } else {
        cluster.clusterType = Self.dnsClusterType(logical: false)
        let selected = service.endpoints.filter { $0.matches(labels: subset?.labels ?? [:]) }
        cluster.loadAssignment = Self.dnsLoadAssignment(
          name: cluster.name, endpoints: selected, port: port)
      }
    case .dnsRoundRobin:
      guard let first = service.endpoints.first(where: { $0.unixSocketPath == nil }) else {
        return nil
      }
      if flavor == .grpc {
        cluster.type = .logicalDns
        cluster.dnsLookupFamily = .v4Only
      } else {
        cluster.clusterType = Self.dnsClusterType(logical: true)
      }
      cluster.loadAssignment = Self.dnsLoadAssignment(
        name: cluster.name, endpoints: [first], port: port)
    case .none:
      // grpc cannot forward to the original destination: it has no intercepted connection.
      guard flavor == .sidecar else { return nil }
      cluster.type = .originalDst
      cluster.lbPolicy = .clusterProvided
      applyTLS(policy.tls, service: service, to: &cluster)
      applyHTTPProtocolOptions(policy.connectionPool, port: port, to: &cluster)
      applyCircuitBreakers(policy.connectionPool, to: &cluster)
      applyOutlierDetection(policy.outlierDetection, to: &cluster)
      return cluster
    }

    applyLoadBalancer(policy.loadBalancer, to: &cluster)
    applyTLS(policy.tls, service: service, to: &cluster)
    applyHTTPProtocolOptions(policy.connectionPool, port: port, to: &cluster)
    applyCircuitBreakers(policy.connectionPool, to: &cluster)
    applyOutlierDetection(policy.outlierDetection, to: &cluster)
    // Locality weights in EDS only take effect with locality-weighted balancing.
    cluster.commonLbConfig.localityWeightedLbConfig = .init()
    // As Istio: outlier detection turns Envoy's panic mode off unless minHealthPercent says
    // otherwise. Envoy's own 50% default would send traffic back to every ejected endpoint as
    // soon as half of them are ejected.
    if let outlier = policy.outlierDetection, (outlier.minHealthPercent ?? 0) >= 0 {
      cluster.commonLbConfig.healthyPanicThreshold.value = Double(
        min(outlier.minHealthPercent ?? 0, 100))
    }
    return cluster
  }

  /// The clusters every sidecar has besides the services: passthrough for unknown destinations
  /// (Istio's ALLOW_ANY) and a black hole.
  static func sidecarBuiltins() -> [Cluster] {
    var passthrough = Cluster()
    passthrough.name = ClusterName.passthrough
    passthrough.type = .originalDst
    passthrough.lbPolicy = .clusterProvided
    passthrough.connectTimeout = defaultConnectTimeout
    var blackHole = Cluster()
    blackHole.name = ClusterName.blackHole
    blackHole.type = .static
    blackHole.connectTimeout = defaultConnectTimeout
    return [blackHole, passthrough]
  }

  /// Istio's default DNS refresh rate (MeshConfig dnsRefreshRate); with respect_dns_ttl the
  /// records' TTL decides.
  static let dnsRefreshRate = Google_Protobuf_Duration(seconds: 60)

  /// STRICT_DNS (`logical: false`) or LOGICAL_DNS as Envoy 1.40 wants them: the
  /// `envoy.clusters.dns` extension, which carries the DNS settings the Cluster fields
  /// (respect_dns_ttl, dns_refresh_rate) used to and which Envoy now deprecates. grpc only
  /// knows the plain LOGICAL_DNS type, so it keeps that.
  static func dnsClusterType(logical: Bool) -> Cluster.CustomClusterType {
    var dns = Envoy_Extensions_Clusters_Dns_V3_DnsCluster()
    dns.respectDnsTtl = true
    dns.dnsRefreshRate = dnsRefreshRate
    dns.dnsLookupFamily = .v4Only
    dns.allAddressesInSingleEndpoint = logical
    var type = Cluster.CustomClusterType()
    type.name = "envoy.clusters.dns"
    type.typedConfig = .packed(dns)
    return type
  }

  static func adsEDSConfig(serviceName: String) -> Cluster.EdsClusterConfig {
    var config = Cluster.EdsClusterConfig()
    config.edsConfig = adsConfigSource()
    config.serviceName = serviceName
    return config
  }

  static func adsConfigSource() -> Envoy_Config_Core_V3_ConfigSource {
    var source = Envoy_Config_Core_V3_ConfigSource()
    source.ads = Envoy_Config_Core_V3_AggregatedConfigSource()
    source.resourceApiVersion = .v3
    return source
  }

  static func duration(_ value: IstioDuration) -> Google_Protobuf_Duration? {
    guard !value.isNegative else { return nil }
    return Google_Protobuf_Duration(seconds: value.seconds, nanos: value.nanos)
  }

  static func dnsLoadAssignment(name: String, endpoints: [MeshEndpoint], port: MeshPort)
    -> Envoy_Config_Endpoint_V3_ClusterLoadAssignment
  {
    EndpointBuilder.loadAssignment(
      clusterName: name, endpoints: endpoints, port: port, flavor: .sidecar)
  }
}
