import FairwayMesh
import FairwayProto
import FairwayResources
import SwiftProtobuf

/// Inbound side of a sidecar: for each port of each service this proxy's workload serves, a
/// cluster `inbound|PORT||` to the application on 127.0.0.1 and a listener accepting on PORT.
/// PORT is the endpoint's port (WorkloadEntry port map, else `targetPort`, else the number);
/// the application's port is `targetPort` when set, else PORT.
struct InboundBuilder: Sendable {
  /// One port this workload serves.
  struct Instance: Sendable, Equatable {
    let service: MeshService.Summary
    let port: MeshPort
    /// The port traffic arrives on (the endpoint port).
    let inboundPort: UInt32
    /// The port the application listens on.
    let applicationPort: UInt32
    /// Where the application listens: loopback, or the pod's own address (a Sidecar ingress
    /// with `defaultEndpoint: 0.0.0.0:PORT`).
    var applicationAddress = "127.0.0.1"

    /// Whether the sidecar receives on a port other than the application's (a WorkloadEntry
    /// port map over the ServiceEntry's `targetPort`), so a bound listener cannot be its own
    /// upstream.
    var forwardsToAnotherPort: Bool { inboundPort != applicationPort }
  }

  let index: MeshIndex
  let view: ProxyView

  /// Workload ports of this proxy, one per inbound port (first service by host wins).
  func instances() -> [Instance] {
    guard view.kind == .sidecar, view.client != .grpc else { return [] }
    if let ingress = index.sidecarScope(for: view)?.ingress, !ingress.isEmpty {
      return sidecarIngress(ingress)
    }
    var owned: [Int: MeshEndpoint] = [:]
    // In the proxy's own order: with two IPs in one service, the first listed decides.
    for address in view.ipAddresses {
      for position in index.servicesByEndpointAddress[address] ?? [] where owned[position] == nil {
        owned[position] = index.services[position].endpoints.first { $0.address == address }
      }
    }
    let selected = Set(index.servicesSelecting(namespace: view.namespace, labels: view.labels))
    var byPort: [UInt32: Instance] = [:]
    for position in selected.union(owned.keys).sorted() {
      let service = index.services[position]
      let own = owned[position]
      for port in service.ports {
        let inboundPort = own?.port(for: port) ?? port.targetPort ?? port.number
        guard byPort[inboundPort] == nil else { continue }
        byPort[inboundPort] = Instance(
          service: service.summary, port: port, inboundPort: inboundPort,
          applicationPort: port.targetPort ?? inboundPort)
      }
    }
    return byPort.keys.sorted().compactMap { byPort[$0] }
  }

  /// A Sidecar's ingress replaces the ports the workload's services give it, as in istiod: one
  /// per declared port, forwarded to its `defaultEndpoint`.
  private func sidecarIngress(_ ingress: [SidecarScope.Ingress]) -> [Instance] {
    let podAddress = view.ipAddresses.first(where: HostName.isIPAddress) ?? "127.0.0.1"
    var byPort: [UInt32: Instance] = [:]
    for listener in ingress where byPort[listener.port.number] == nil {
      byPort[listener.port.number] = Instance(
        service: MeshService.Summary(host: "", namespace: view.namespace), port: listener.port,
        inboundPort: listener.port.number,
        applicationPort: listener.endpointPort ?? listener.port.number,
        applicationAddress: listener.endpointAddress == "0.0.0.0" ? podAddress : "127.0.0.1")
    }
    return byPort.keys.sorted().compactMap { byPort[$0] }
  }

  /// What inbound clusters depend on: pods of one workload share it (their IPs differ).
  static func signature(_ instances: [Instance]) -> [UInt32] {
    instances.flatMap { [$0.inboundPort, $0.applicationPort] }
  }

  func clusters(_ instances: [Instance]) -> [Envoy_Config_Cluster_V3_Cluster] {
    instances.map { instance in
      var cluster = Envoy_Config_Cluster_V3_Cluster()
      cluster.name = ClusterName.inbound(port: instance.inboundPort)
      cluster.type = .static
      cluster.connectTimeout = ClusterBuilder.defaultConnectTimeout
      var socket = Envoy_Config_Core_V3_SocketAddress()
      socket.address = instance.applicationAddress
      socket.portValue = instance.applicationPort
      var endpoint = Envoy_Config_Endpoint_V3_LbEndpoint()
      endpoint.endpoint.address.socketAddress = socket
      var locality = Envoy_Config_Endpoint_V3_LocalityLbEndpoints()
      locality.lbEndpoints = [endpoint]
      cluster.loadAssignment.clusterName = cluster.name
      cluster.loadAssignment.endpoints = [locality]
      return cluster
    }
  }
}

extension MeshService {
  /// The identifying part of a service, for places that should not copy its endpoints.
  struct Summary: Sendable, Equatable {
    let host: String
    let namespace: String
  }

  var summary: Summary { Summary(host: host, namespace: namespace) }
}
