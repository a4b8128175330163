import FairwayMesh

extension PushTable {
  /// What the table judges a change against: the services of the latest translation as its
  /// `MeshIndex` resolved them (hosts, ports, resolution, workload selectors), so the table
  /// and the translation cannot disagree about which hosts are Dubbo or which workloads a
  /// DNS-resolved service takes. Holding the index costs nothing: the translation shares it.
  package struct Basis: Sendable {
    let index: MeshIndex

    init(index: MeshIndex) {
      self.index = index
    }

    /// The basis of `snapshot`'s translation.
    package init(_ snapshot: MeshSnapshot) {
      self.init(index: MeshIndex(snapshot: snapshot))
    }

    /// Whether `host` (resolved) is a service with a Dubbo port.
    func isDubbo(host: String) -> Bool {
      index.service(host: host)?.ports.contains { $0.proto.isDubbo } ?? false
    }

    /// Whether a DNS-resolved service's workload selector takes a workload of `namespace`
    /// with `labels`. A WorkloadEntry batch is thousands of calls against one index, so this
    /// looks up the services selecting each label instead of scanning the services.
    func selectsDNSService(namespace: String, labels: [String: String]) -> Bool {
      labels.contains { key, value in
        let selecting =
          index.selectingServices[SelectorLabel(namespace: namespace, key: key, value: value)] ?? []
        return selecting.contains { position in
          let service = index.services[position]
          return (service.resolution == .dns || service.resolution == .dnsRoundRobin)
            && service.workloadSelector.allSatisfy { labels[$0.key] == $0.value }
        }
      }
    }
  }
}
