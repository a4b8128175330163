/// Istio's Sidecar rules (`pkg/config/validation`, `ValidateSidecar`).
extension IssueCollector {
  mutating func sidecar(_ spec: Sidecar) {
    if let selector = spec.workloadSelector {
      if (selector.labels ?? [:]).isEmpty {
        add(
          "spec.workloadSelector.labels", "sidecar: workloadSelector must have at least one label")
      }
      labels(selector.labels, path: "spec.workloadSelector.labels")
    }
    let egress = spec.egress ?? []
    var catchAll = 0
    var egressPorts: Set<Int> = []
    for (index, listener) in egress.enumerated() {
      let path = "spec.egress[\(index)]"
      if let port = listener.port {
        sidecarPort(port, path: "\(path).port")
        if let number = port.number, !egressPorts.insert(number).inserted {
          add("\(path).port.number", "sidecar: ports on egress listeners must be unique")
        }
      } else {
        catchAll += 1
        if catchAll > 1 {
          add(path, "sidecar: the egress listener without a port (catch-all) must be unique")
        }
      }
      bind(listener.bind, path: "\(path).bind")
      captureMode(listener.captureMode, path: "\(path).captureMode")
      let hosts = listener.hosts ?? []
      if hosts.isEmpty {
        add("\(path).hosts", "sidecar: egress listener must contain at least one host")
      }
      for (position, host) in hosts.enumerated() {
        sidecarEgressHost(host, path: "\(path).hosts[\(position)]")
      }
    }
    var ingressPorts: Set<Int> = []
    for (index, listener) in (spec.ingress ?? []).enumerated() {
      let path = "spec.ingress[\(index)]"
      guard let port = listener.port else {
        add("\(path).port", "sidecar: port is required for ingress listeners")
        continue
      }
      sidecarPort(port, path: "\(path).port")
      if let number = port.number, !ingressPorts.insert(number).inserted {
        add("\(path).port.number", "sidecar: ports on ingress listeners must be unique")
      }
      bind(listener.bind, path: "\(path).bind")
      captureMode(listener.captureMode, path: "\(path).captureMode")
      if let endpoint = listener.defaultEndpoint, !endpoint.isEmpty {
        defaultEndpoint(endpoint, path: "\(path).defaultEndpoint")
      }
    }
    if let mode = spec.outboundTrafficPolicy?.mode, mode != "ALLOW_ANY", mode != "REGISTRY_ONLY" {
      add(
        "spec.outboundTrafficPolicy.mode",
        "outbound traffic policy mode \"\(mode)\" must be ALLOW_ANY or REGISTRY_ONLY")
    }
  }

  private mutating func sidecarPort(_ port: Sidecar.SidecarPort, path: String) {
    self.port(port.number, path: "\(path).number", required: true)
    if let name = port.name, !name.isEmpty, !NameRules.isDNS1123Label(name) {
      add("\(path).name", "invalid port name \"\(name)\"")
    }
    if let proto = port.protocol, PortProtocol(rawValue: proto.uppercased()) == nil {
      add("\(path).protocol", "unrecognized protocol \"\(proto)\"")
    }
  }

  private mutating func bind(_ bind: String?, path: String) {
    guard let bind, !bind.isEmpty else { return }
    if !bind.hasPrefix("unix://"), !NameRules.isIPAddress(bind) {
      add(path, "sidecar: bind \"\(bind)\" must be an IP address or a unix:// path")
    }
  }

  private mutating func captureMode(_ mode: String?, path: String) {
    guard let mode, !mode.isEmpty else { return }
    if !["DEFAULT", "IPTABLES", "NONE"].contains(mode) {
      add(path, "sidecar: captureMode \"\(mode)\" must be DEFAULT, IPTABLES or NONE")
    }
  }

  /// `127.0.0.1:PORT`, `0.0.0.0:PORT` or `unix://PATH`, as Istio accepts.
  private mutating func defaultEndpoint(_ endpoint: String, path: String) {
    if endpoint.hasPrefix("unix://") {
      if endpoint.count == "unix://".count { add(path, "sidecar: unix path must not be empty") }
      return
    }
    let parts = endpoint.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, parts[0] == "127.0.0.1" || parts[0] == "0.0.0.0",
      let number = Int(parts[1]), (1...Self.maxPort).contains(number)
    else {
      add(
        path,
        "sidecar: defaultEndpoint \"\(endpoint)\" must be 127.0.0.1:PORT, 0.0.0.0:PORT or unix://PATH"
      )
      return
    }
  }

  /// `namespace/dnsName`: the namespace a name, `.`, `*` or `~`; the name `*`, `*.suffix` or a
  /// DNS name.
  private mutating func sidecarEgressHost(_ host: String, path: String) {
    let parts = host.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2 else {
      add(path, "sidecar: egress host \"\(host)\" must be of the form namespace/dnsName")
      return
    }
    let namespace = String(parts[0])
    let name = String(parts[1])
    if namespace.isEmpty {
      add(path, "sidecar: egress host \"\(host)\" has an empty namespace")
    } else if namespace != ".", namespace != "*", namespace != "~",
      !NameRules.isDNS1123Label(namespace)
    {
      add(
        path,
        "sidecar: egress host namespace \"\(namespace)\" must be a name, \".\", \"*\" or \"~\"")
    }
    if name.isEmpty || !NameRules.isWildcardDomain(name, allowBareWildcard: true) {
      add(path, "sidecar: egress host name \"\(name)\" must be a DNS name, \"*\" or \"*.suffix\"")
    }
  }
}
