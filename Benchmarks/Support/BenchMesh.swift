import FairwayMesh
import Foundation

/// The benchmark mesh: S services x E endpoints, shared by every benchmark so figures compare.
public enum BenchMesh {
  /// A mesh as users would write it: one ServiceEntry per service with a workload selector,
  /// WorkloadEntries across three zones; every tenth service has subsets and a weighted split.
  public static func yaml(services: Int, endpoints: Int, changedEndpoint: Bool = false) -> String {
    var documents: [String] = []
    documents.reserveCapacity(services * (endpoints + 3))
    for s in 0..<services {
      let name = "svc-\(s)"
      documents.append(
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: \(name), namespace: bench}
        spec:
          hosts: [\(name).bench.svc.cluster.local]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 8080, name: http, protocol: HTTP}]
          workloadSelector: {labels: {app: \(name)}}
        """)
      for e in 0..<endpoints {
        var address = "10.\(s / 250).\(s % 250).\(e + 1)"
        if changedEndpoint && s == 0 && e == 0 { address = "10.255.255.1" }
        documents.append(
          """
          apiVersion: networking.istio.io/v1
          kind: WorkloadEntry
          metadata: {name: \(name)-\(e), namespace: bench}
          spec:
            address: \(address)
            labels: {app: \(name), version: v\(e % 2 + 1)}
            locality: region-1/zone-\(e % 3)
            weight: \(e % 4 + 1)
          """)
      }
      if s % 10 == 0 {
        documents.append(
          """
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: {name: \(name), namespace: bench}
          spec:
            host: \(name)
            trafficPolicy: {connectionPool: {tcp: {maxConnections: 100}}}
            subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
          ---
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: \(name), namespace: bench}
          spec:
            hosts: [\(name)]
            http:
            - match: [{headers: {x-canary: {exact: "1"}}}]
              route: [{destination: {host: \(name), subset: v2}}]
            - route:
              - {destination: {host: \(name), subset: v1}, weight: 90}
              - {destination: {host: \(name), subset: v2}, weight: 10}
          """)
      }
    }
    return documents.joined(separator: "\n---\n")
  }

  /// Parses with the real parser; exits on a parse error (the generator is at fault).
  public static func snapshot(_ yaml: String, revision: Int64) -> MeshSnapshot {
    do {
      let parsed = try ConfigParser().parse(Data(yaml.utf8))
      return MeshSnapshot(revision: revision, objects: parsed.objects)
    } catch {
      print("parse failed: \(error)")
      exit(1)
    }
  }
}
