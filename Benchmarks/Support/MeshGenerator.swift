import Foundation

/// The benchmark mesh: S STATIC ServiceEntries on port 8080, E WorkloadEntries each (three
/// zones, weights 1-4), and on every tenth service a DestinationRule with two subsets and a
/// VirtualService with a header match and a 90/10 split. Same shape as `fairway-bench`.
package struct MeshGenerator: Sendable {
  package static let namespace = "bench"
  package let services: Int
  package let endpoints: Int
  /// Namespaces the services are spread over (service s in `bench-(s % N)`); 1: all in `bench`.
  package let namespaces: Int

  package init(services: Int, endpoints: Int, namespaces: Int = 1) {
    self.services = services
    self.endpoints = endpoints
    self.namespaces = max(1, namespaces)
  }

  /// The namespace of service `s`.
  package func namespace(_ s: Int) -> String {
    namespaces == 1 ? Self.namespace : "\(Self.namespace)-\(s % namespaces)"
  }

  /// One Sidecar per namespace k whose egress admits namespaces k, k+1 and k+2 (issue 25's
  /// benchmark: each namespace sees its own services plus two others').
  package func sidecars() -> String {
    (0..<namespaces).map { k in
      """
      apiVersion: networking.istio.io/v1
      kind: Sidecar
      metadata: {name: default, namespace: \(namespace(k))}
      spec:
        egress: [{hosts: ["./*", "\(namespace(k + 1))/*", "\(namespace(k + 2))/*"]}]
      """
    }.joined(separator: "\n---\n")
  }

  /// Whether a sidecar in the namespace of service `client` sees service `s` under `sidecars()`.
  package func scopeAdmits(client: Int, service s: Int) -> Bool {
    let distance = ((s - client) % namespaces + namespaces) % namespaces
    return namespaces <= 3 || distance <= 2
  }

  /// YAML for services `range`, to apply in batches; `moved` puts one endpoint elsewhere.
  package func yaml(
    services range: Range<Int>, moved: (service: Int, endpoint: Int, address: String)? = nil
  ) -> String {
    var documents: [String] = []
    documents.reserveCapacity(range.count * (endpoints + 3))
    for s in range {
      documents.append(serviceEntry(s))
      for e in 0..<endpoints {
        let relocated = moved.flatMap { $0.service == s && $0.endpoint == e ? $0.address : nil }
        documents.append(workloadEntry(s, e, address: relocated ?? address(s, e)))
      }
      if s % 10 == 0 {
        documents.append(destinationRule(s))
        documents.append(virtualService(s, canary: "c00000000"))
      }
    }
    return documents.joined(separator: "\n---\n")
  }

  package func address(_ s: Int, _ e: Int) -> String { "10.\(s / 250).\(s % 250).\(e + 1)" }

  package func serviceEntry(_ s: Int) -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: svc-\(s), namespace: \(namespace(s))}
    spec:
      hosts: [svc-\(s).\(namespace(s)).svc.cluster.local]
      location: MESH_INTERNAL
      resolution: STATIC
      ports: [{number: 8080, name: http, protocol: HTTP}]
      workloadSelector: {labels: {app: svc-\(s)}}
    """
  }

  package func workloadEntry(_ s: Int, _ e: Int, address: String) -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: WorkloadEntry
    metadata: {name: svc-\(s)-\(e), namespace: \(namespace(s))}
    spec:
      address: \(address)
      labels: {app: svc-\(s), version: v\(e % 2 + 1)}
      locality: region-1/zone-\(e % 3)
      weight: \(e % 4 + 1)
    """
  }

  package func destinationRule(_ s: Int) -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: svc-\(s), namespace: \(namespace(s))}
    spec:
      host: svc-\(s)
      trafficPolicy: {connectionPool: {tcp: {maxConnections: 100}}}
      subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
    """
  }

  package func virtualService(_ s: Int, canary: String) -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: svc-\(s), namespace: \(namespace(s))}
    spec:
      hosts: [svc-\(s)]
      http:
      - match: [{headers: {x-canary: {exact: "\(canary)"}}}]
        route: [{destination: {host: svc-\(s), subset: v2}}]
      - route:
        - {destination: {host: svc-\(s), subset: v1}, weight: 90}
        - {destination: {host: svc-\(s), subset: v2}, weight: 10}
    """
  }

  /// Change `g` of a WorkloadEntry: moves the last endpoint of one service to a new address.
  /// The marker is the encoded SocketAddress.address field (tag, length, text), which no other
  /// address can contain.
  package func workloadEntryChange(_ g: Int) -> (yaml: String, marker: [UInt8]) {
    let s = workloadEntryChangeService(g)
    let newAddress = "10.254.\(g / 250 % 250).\(g % 250 + 1)"
    let yaml = workloadEntry(s, endpoints - 1, address: newAddress)
    return (yaml, [0x12, UInt8(newAddress.utf8.count)] + Array(newAddress.utf8))
  }

  /// Change `g` of a VirtualService: a new header value, fixed width so markers never overlap.
  package func virtualServiceChange(_ g: Int) -> (yaml: String, marker: [UInt8]) {
    let s = virtualServiceChangeService(g)
    let canary = "c" + String(repeating: "0", count: max(0, 8 - String(g).count)) + String(g)
    return (virtualService(s, canary: canary), Array(canary.utf8))
  }

  /// The service change `g` of a WorkloadEntry touches.
  package func workloadEntryChangeService(_ g: Int) -> Int { (g &* 7919) % services }

  /// The service change `g` of a VirtualService touches (one with routes: every tenth).
  package func virtualServiceChangeService(_ g: Int) -> Int {
    let withRoutes = (services + 9) / 10
    return ((g &* 31) % withRoutes) * 10
  }

  /// The authority a client uses for service `s` (`xds:///` target).
  package func authority(_ s: Int) -> String { "svc-\(s).\(namespace(s)).svc.cluster.local:8080" }
}
