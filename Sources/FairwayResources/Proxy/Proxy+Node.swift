import FairwayProto
import Foundation
import SwiftProtobuf

extension Proxy {
  /// The node metadata key Fairway reads to tell MOSN apart from Envoy (`FAIRWAY_PROXY: mosn`).
  static let clientMetadataKey = "FAIRWAY_PROXY"

  /// Parses an xDS node the way istiod does; a malformed id becomes an opaque id with defaults.
  public init(node: Envoy_Config_Core_V3_Node) {
    let metadata = node.metadata.fields
    func string(_ key: String) -> String? {
      guard case .stringValue(let value)? = metadata[key]?.kind, !value.isEmpty else { return nil }
      return value
    }

    let parts = node.id.split(separator: "~", omittingEmptySubsequences: false).map(String.init)
    var kind = Kind.sidecar
    var ips: [String] = []
    var podName = ""
    var namespace = string("NAMESPACE") ?? "default"
    var dnsDomain = ""
    if parts.count == 4 {
      kind = Kind(rawValue: parts[0]) ?? .sidecar
      if !parts[1].isEmpty { ips = [parts[1]] }
      let podAndNamespace = parts[2].split(separator: ".", maxSplits: 1).map(String.init)
      podName = podAndNamespace.first ?? ""
      if string("NAMESPACE") == nil, podAndNamespace.count == 2, !podAndNamespace[1].isEmpty {
        namespace = podAndNamespace[1]
      }
      dnsDomain = parts[3]
    }
    if let instanceIPs = string("INSTANCE_IPS") {
      let listed = instanceIPs.split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
      }.filter { !$0.isEmpty }
      if !listed.isEmpty { ips = listed }
    }
    if dnsDomain.isEmpty { dnsDomain = "\(namespace).svc.cluster.local" }

    var labels: [String: String] = [:]
    if case .structValue(let labelStruct)? = metadata["LABELS"]?.kind {
      for (key, value) in labelStruct.fields {
        if case .stringValue(let text)? = value.kind { labels[key] = text }
      }
    }

    let agent = node.userAgentName.lowercased()
    let client: Client
    if string("GENERATOR") == "grpc" || agent.hasPrefix("grpc") {
      client = .grpc
    } else if string(Proxy.clientMetadataKey)?.lowercased() == "mosn" || agent.contains("mosn") {
      client = .mosn
    } else {
      client = .envoy
    }

    self.init(
      id: node.id, kind: kind, client: client, ipAddresses: ips, podName: podName,
      namespace: namespace, dnsDomain: dnsDomain, labels: labels,
      clusterID: string("CLUSTER_ID") ?? "Kubernetes",
      istioVersion: string("ISTIO_VERSION") ?? "",
      interceptionMode: string("INTERCEPTION_MODE").flatMap {
        InterceptionMode(rawValue: $0.uppercased())
      },
      locality: Self.locality(node.locality, labels: labels))
    requestedRouteDelivery = string(RouteDelivery.metadataKey).flatMap {
      RouteDelivery(rawValue: $0.lowercased())
    }
  }

  /// `region/zone/subzone` from the node's locality, else from the topology labels istiod
  /// reads from the pod; empty when neither says.
  static func locality(_ locality: Envoy_Config_Core_V3_Locality, labels: [String: String])
    -> String
  {
    var parts = [locality.region, locality.zone, locality.subZone]
    if parts.allSatisfy(\.isEmpty) {
      parts = [
        labels["topology.kubernetes.io/region"] ?? "", labels["topology.kubernetes.io/zone"] ?? "",
        labels["topology.istio.io/subzone"] ?? "",
      ]
    }
    while parts.last?.isEmpty == true { parts.removeLast() }
    return parts.joined(separator: "/")
  }
}
