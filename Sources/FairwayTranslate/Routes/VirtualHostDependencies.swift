import FairwayMesh

/// Everything a sidecar's virtual host for one service port reads besides the service itself,
/// the port and the view's outbound key: the VirtualService routing the host (as the proxy's
/// namespace picks it among several, with its delegates' routes merged in, so a change to a
/// delegate changes it), and for the host and every host its routes send or mirror to, the
/// DestinationRule this client gets there (hash policies; looked up in the client's, the
/// service's and the root namespace, so a rule of another namespace that changes the answer
/// changes it) and the ports of that host's service (a destination's default port).
///
/// The rest of what decides a host's bytes is in the outbound key the hosts are cached under:
/// the proxy's namespace, route-relevant labels, Sidecar scope (egress hosts, REGISTRY_ONLY)
/// and the rules selecting its workload by name; their content is in the rules recorded here.
///
/// An encoded virtual host is reused by a later translation only when these are equal, so a
/// builder that starts reading something else must record it here too (through the same
/// `RouteBuilder` helpers it reads with), or cached hosts would go stale.
struct VirtualHostDependencies: Sendable, Equatable {
  /// What the routes read about one host.
  struct HostFacts: Sendable, Equatable {
    let host: String
    let rule: DestinationRule?
    let ports: [UInt32]?
  }

  let virtualService: TypedConfig<VirtualService>?
  let hosts: [HostFacts]

  /// The dependencies of `service`'s virtual host as `builder` sees them now.
  init(service: MeshService, builder: RouteBuilder) {
    let virtualService = builder.routingVirtualService(host: service.host)
    var names = [service.host]
    if let config = virtualService {
      for http in config.spec.http ?? [] {
        var targets = (http.route ?? []).compactMap(\.destination)
        if let mirror = http.mirror { targets.append(mirror) }
        targets += (http.mirrors ?? []).compactMap(\.destination)
        for target in targets {
          guard let written = target.host, !written.isEmpty else { continue }
          let host = HostName.resolve(written, namespace: config.namespace)
          if !names.contains(host) { names.append(host) }
        }
      }
    }
    self.virtualService = virtualService
    hosts = names.map { name in
      HostFacts(
        host: name, rule: builder.routingRule(host: name),
        ports: builder.destinationPorts(host: name))
    }
  }
}
