/// Gateway rules (Istio `ValidateGateway`), plus what Fairway does not serve: certificates come
/// from files only (no SDS, so no `credentialName`), and there is no mesh CA (no
/// `ISTIO_MUTUAL`, `OPTIONAL_MUTUAL`) and no SNI-DNAT clusters (no `AUTO_PASSTHROUGH`).
extension IssueCollector {
  static let gatewayProtocols = ["HTTP", "HTTPS", "GRPC", "HTTP2", "MONGO", "TCP", "TLS"]
  static let serverTLSModes = [
    "PASSTHROUGH", "SIMPLE", "MUTUAL", "AUTO_PASSTHROUGH", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL",
  ]
  static let unsupportedServerTLSModes: Set<String> = [
    "AUTO_PASSTHROUGH", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL",
  ]
  static let tlsProtocolVersions = ["TLS_AUTO", "TLSV1_0", "TLSV1_1", "TLSV1_2", "TLSV1_3"]

  mutating func gateway(_ spec: Gateway) {
    labels(spec.selector, path: "spec.selector")
    let servers = spec.servers ?? []
    if servers.isEmpty {
      add("spec.servers", "gateway must have at least one server")
    }
    var portNames: [String: Int] = [:]
    var serverNames: Set<String> = []
    for (index, server) in servers.enumerated() {
      let path = "spec.servers[\(index)]"
      gatewayServer(server, path: path)
      if let name = server.port?.name, !name.isEmpty {
        if let number = portNames[name], number != server.port?.number {
          add("\(path).port.name", "port names in servers must be unique: duplicate name \(name)")
        }
        portNames[name] = server.port?.number
      }
      if let name = server.name, !name.isEmpty, !serverNames.insert(name).inserted {
        add("\(path).name", "server names must be unique: duplicate name \(name)")
      }
    }
  }

  private mutating func gatewayServer(_ server: GatewayServer, path: String) {
    let hosts = server.hosts ?? []
    if hosts.isEmpty {
      add("\(path).hosts", "server config must contain at least one host")
    }
    for (index, host) in hosts.enumerated() {
      gatewayHost(host, path: "\(path).hosts[\(index)]")
    }
    let proto = server.port?.protocol?.uppercased()
    if let port = server.port {
      self.port(port.number, path: "\(path).port.number", required: true)
      if let target = port.targetPort { self.port(target, path: "\(path).port.targetPort") }
      if let written = port.protocol {
        enumValue(
          written.uppercased(), allowed: Self.gatewayProtocols, path: "\(path).port.protocol")
      } else {
        add("\(path).port.protocol", "protocol is required")
      }
      if let name = port.name, !name.isEmpty, !NameRules.isDNS1123Label(name.lowercased()) {
        add("\(path).port.name", "invalid port name \"\(name)\"")
      }
    } else {
      add("\(path).port", "server config must contain a port")
    }
    if let bind = server.bind, !bind.isEmpty, !NameRules.isIPAddress(bind) {
      add("\(path).bind", "bind \"\(bind)\" must be an IP address")
    }
    let isTLSProtocol = proto == "HTTPS" || proto == "TLS"
    guard let tls = server.tls else {
      if isTLSProtocol {
        add("\(path).tls", "server must have TLS settings for HTTPS/TLS protocols")
      }
      return
    }
    serverTLS(tls, path: "\(path).tls", terminates: isTLSProtocol, proto: proto)
  }

  /// `namespace/dnsName` or `dnsName`, as Istio's `validateNamespaceSlashWildcardHostname`.
  private mutating func gatewayHost(_ host: String, path: String) {
    let parts = host.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    let name: String
    switch parts.count {
    case 1: name = host
    case 2:
      let namespace = parts[0]
      if namespace != "*" && namespace != "." && namespace != "~"
        && !NameRules.isDNS1123Label(namespace)
      {
        add(
          path, "invalid namespace \"\(namespace)\" in host \"\(host)\": want *, . or a namespace")
      }
      name = parts[1]
    default:
      add(path, "invalid host \"\(host)\": want namespace/dnsName or dnsName")
      return
    }
    if name.isEmpty || !NameRules.isWildcardDomain(name) {
      add(path, "invalid host \"\(host)\": must be a DNS name, optionally starting with \"*.\"")
    }
  }

  private mutating func serverTLS(
    _ tls: ServerTLSSettings, path: String, terminates: Bool, proto: String?
  ) {
    if !terminates {
      // Plain HTTP ports take only httpsRedirect (Istio: "server cannot have TLS settings for
      // plain text HTTP ports").
      let onlyRedirect =
        tls.mode == nil && tls.serverCertificate == nil && tls.privateKey == nil
        && tls.caCertificates == nil && tls.credentialName == nil
      if proto != nil && !onlyRedirect {
        add(path, "server cannot have TLS settings for plain text \(proto ?? "") ports")
      }
      return
    }
    let mode = tls.mode?.uppercased() ?? "PASSTHROUGH"
    enumValue(mode, allowed: Self.serverTLSModes, path: "\(path).mode")
    if Self.unsupportedServerTLSModes.contains(mode) {
      add(
        "\(path).mode",
        "mode \(mode) is not supported by Fairway (no mesh CA or SNI-DNAT clusters): use SIMPLE, MUTUAL or PASSTHROUGH"
      )
    }
    if let credential = tls.credentialName, !credential.isEmpty {
      add(
        "\(path).credentialName",
        "credentialName is not supported by Fairway (no SDS): give serverCertificate and privateKey files"
      )
    }
    // Files are the only source of certificates here (no credentialName), so always required.
    if mode == "SIMPLE" || mode == "MUTUAL" {
      if (tls.serverCertificate ?? "").isEmpty {
        add("\(path).serverCertificate", "\(mode) TLS requires a server certificate")
      }
      if (tls.privateKey ?? "").isEmpty {
        add("\(path).privateKey", "\(mode) TLS requires a private key")
      }
      if mode == "MUTUAL", (tls.caCertificates ?? "").isEmpty {
        add("\(path).caCertificates", "MUTUAL TLS requires a client CA bundle")
      }
    }
    for (field, value) in [
      ("minProtocolVersion", tls.minProtocolVersion),
      ("maxProtocolVersion", tls.maxProtocolVersion),
    ] {
      enumValue(value?.uppercased(), allowed: Self.tlsProtocolVersions, path: "\(path).\(field)")
    }
    if let minimum = tls.minProtocolVersion.flatMap({
      Self.tlsProtocolVersions.firstIndex(of: $0.uppercased())
    }),
      let maximum = tls.maxProtocolVersion.flatMap({
        Self.tlsProtocolVersions.firstIndex(of: $0.uppercased())
      }),
      minimum > 0, maximum > 0, minimum > maximum
    {
      add("\(path).minProtocolVersion", "minProtocolVersion is higher than maxProtocolVersion")
    }
    for (index, suite) in (tls.cipherSuites ?? []).enumerated()
    where suite.isEmpty || suite.contains(" ") {
      add("\(path).cipherSuites[\(index)]", "invalid cipher suite \"\(suite)\"")
    }
    for (index, name) in (tls.subjectAltNames ?? []).enumerated() where name.isEmpty {
      add("\(path).subjectAltNames[\(index)]", "subject alt name must not be empty")
    }
  }
}
