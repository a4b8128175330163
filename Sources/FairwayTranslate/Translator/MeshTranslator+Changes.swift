import FairwayResources

extension MeshTranslator {
  /// EDS cluster names whose endpoint inputs differ between `previous` and this translation
  /// (added, removed or changed): the only assignments an endpoint-only push has to send.
  package func changedEndpointClusters(since previous: MeshTranslator) -> Set<String> {
    var changed = Set<String>()
    for (name, input) in endpointInputs where previous.endpointInputs[name] != input {
      changed.insert(name)
    }
    for name in previous.endpointInputs.keys where endpointInputs[name] == nil {
      changed.insert(name)
    }
    return changed
  }

  /// `incrementalEndpointChanges` when this translation was patched from `previous`, else
  /// `changedEndpointClusters(since:)`; nil when `previous` is not a `MeshTranslator`.
  package func endpointClustersChanged(since previous: any MeshTranslation) -> Set<String>? {
    if let incrementalEndpointChanges { return incrementalEndpointChanges }
    guard let previous = previous as? MeshTranslator else { return nil }
    return changedEndpointClusters(since: previous)
  }
}

extension MeshTranslator {
  /// Whether a change of `reach` can alter what `proxy` is sent: a proxy of one of its
  /// namespaces or selected by one of its selectors, or one that sees one of its hosts (exported to the proxy's namespace and
  /// admitted by its Sidecar scope, in this translation).
  package func reaches(_ proxy: Proxy, _ reach: ProxyReach) -> Bool {
    if reach.namespaces.contains(proxy.namespace) { return true }
    if reach.selectors.contains(where: { $0.selects(proxy) }) { return true }
    let scope = index.sidecarScope(for: proxy.view)
    for target in reach.targets {
      if let exported = target.exportedTo, !exported.contains(proxy.namespace) { continue }
      guard let scope, !target.host.hasPrefix("*"), let namespace = target.namespace else {
        return true
      }
      if scope.admits(host: target.host, namespace: namespace) { return true }
    }
    return false
  }
}
