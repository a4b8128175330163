import FairwayMesh
import FairwayResources
import FairwayStore

extension PushTable {
  /// Which proxies one store change can alter (nil: every one), judged against `basis`.
  package static func reach(for event: ConfigEvent, against basis: Basis) -> ProxyReach? {
    let objects = [event.old, event.new].compactMap { $0 }
    let root = basis.index.rootNamespace
    var reach = ProxyReach()
    for object in objects {
      switch object.spec {
      case .sidecar(let spec):
        let selector = spec.workloadSelector?.labels ?? [:]
        if selector.isEmpty {
          // The root namespace's default Sidecar is every other namespace's default too.
          if event.namespace == root { return nil }
          reach.namespaces.insert(event.namespace)
        } else {
          // Only the workloads it selects (before or after) can change their Sidecar.
          reach.selectors.insert(
            ProxyReach.Selector(namespace: event.namespace, labels: selector))
        }
      case .serviceEntry(let spec):
        let exported = Visibility(exportTo: spec.exportTo, namespace: event.namespace).namespaces
        for host in spec.hosts ?? [] {
          reach.targets.insert(
            ProxyReach.Target(
              host: HostName.resolve(host, namespace: event.namespace),
              namespace: event.namespace, exportedTo: exported))
        }
      case .virtualService(let spec):
        // A delegate (no hosts) reaches whoever its roots reach: judged as everyone.
        if (spec.hosts ?? []).isEmpty { return nil }
        let exported = Visibility(exportTo: spec.exportTo, namespace: event.namespace).namespaces
        for host in spec.hosts ?? [] {
          let resolved = HostName.resolve(host, namespace: event.namespace)
          reach.targets.insert(
            ProxyReach.Target(
              host: resolved, namespace: basis.index.service(host: resolved)?.namespace,
              exportedTo: exported))
        }
      case .destinationRule(let spec):
        guard let host = spec.host else { continue }
        let resolved = HostName.resolve(host, namespace: event.namespace)
        let serviceNamespace = basis.index.service(host: resolved)?.namespace
        var exported = Visibility(exportTo: spec.exportTo, namespace: event.namespace).namespaces
        // A rule outside the service's and the root namespace applies only to clients of
        // its own namespace (istiod's lookup order).
        if let serviceNamespace, event.namespace != serviceNamespace, event.namespace != root {
          exported = (exported ?? [event.namespace]).intersection([event.namespace])
        }
        reach.targets.insert(
          ProxyReach.Target(host: resolved, namespace: serviceNamespace, exportedTo: exported))
      case .workloadEntry:
        return nil
      case .gateway:
        // Gateway proxies only (the types row); which of them is the gateway builder's call.
        return nil
      case .workloadGroup:
        // A template: only the WorkloadEntries made from it translate.
        continue
      }
    }
    return reach
  }
}
