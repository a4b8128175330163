import FairwayMesh
import FairwayResources

/// Everything a sidecar's own listeners (virtualInbound, virtualOutbound, or per-port inbound
/// listeners without interception) are built from. Pods of one workload share it, and so do
/// successive translations while the workload's ports stay the same, so those listeners are
/// encoded once per workload instead of once per pod and push.
struct InboundListenerKey: Sendable, Hashable {
  struct Instance: Sendable, Hashable {
    let host: String
    let namespace: String
    let port: MeshPort
    let inboundPort: UInt32
    let applicationPort: UInt32
    let applicationAddress: String
  }

  let kind: Proxy.Kind
  /// MOSN keeps its Dubbo listeners in its own config; Envoy gets them from us.
  let client: Proxy.Client
  let interceptionMode: Proxy.InterceptionMode
  /// Without interception Envoy's inbound listeners bind the pod's address: part of the key.
  let bindAddress: String
  let instances: [Instance]
  /// A Sidecar's `REGISTRY_ONLY`: virtualOutbound sends unknown destinations to BlackHole.
  let registryOnly: Bool

  init(view: ProxyView, instances: [InboundBuilder.Instance], registryOnly: Bool) {
    self.registryOnly = registryOnly
    kind = view.kind
    client = view.client
    interceptionMode = view.interceptionMode
    bindAddress =
      view.interceptionMode.bindsPorts && view.client == .envoy
      ? (view.ipAddresses.first(where: HostName.isIPAddress) ?? "") : ""
    self.instances = instances.map {
      Instance(
        host: $0.service.host, namespace: $0.service.namespace, port: $0.port,
        inboundPort: $0.inboundPort, applicationPort: $0.applicationPort,
        applicationAddress: $0.applicationAddress)
    }
  }
}

/// A sidecar's own listeners, encoded, with the ports outbound listeners must leave to the
/// workload (without interception).
struct OwnListeners: Sendable {
  let encoded: [EncodedResource]
  let reservedPorts: Set<UInt32>
}
