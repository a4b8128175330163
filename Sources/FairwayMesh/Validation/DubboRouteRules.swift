/// What a VirtualService may say about a Dubbo service, checked across documents: whether a
/// host is Dubbo is decided by the ServiceEntry that declares it, not by the VirtualService.
///
/// A Dubbo request has an interface, a method and attachments; there is no URI, scheme or
/// authority to match, and no HTTP response to redirect, rewrite, mirror, fault or decorate.
/// Such fields would be silently dropped by the translation, so they are rejected instead.
public enum DubboRouteRules {
  /// The resolved hosts of every ServiceEntry with a Dubbo port, each with the entry (and
  /// port) that makes it Dubbo.
  public static func dubboHosts(_ entries: some Sequence<TypedConfig<ServiceEntry>>)
    -> [String: (entry: ConfigKey, port: Int)]
  {
    var hosts: [String: (entry: ConfigKey, port: Int)] = [:]
    for entry in entries {
      guard
        let port = (entry.spec.ports ?? []).first(where: { $0.applicationProtocol.isDubbo }),
        let number = port.number
      else { continue }
      for written in entry.spec.hosts ?? [] {
        let host = HostName.resolve(written, namespace: entry.namespace)
        if hosts[host] == nil { hosts[host] = (entry.key, number) }
      }
    }
    return hosts
  }

  /// Every field of `config` that cannot apply because a host it routes is a Dubbo service.
  public static func issues(
    _ config: TypedConfig<VirtualService>,
    dubboHosts: [String: (entry: ConfigKey, port: Int)]
  ) -> [ValidationIssue] {
    guard !dubboHosts.isEmpty, let http = config.spec.http, !http.isEmpty else { return [] }
    let dubbo = (config.spec.hosts ?? []).lazy
      .map { HostName.resolve($0, namespace: config.namespace) }
      .compactMap { host in dubboHosts[host].map { (host, $0) } }
      .first
    guard let (host, origin) = dubbo else { return [] }
    let reason =
      "does not apply to Dubbo service \(host) (port \(origin.port) of \(origin.entry) is DUBBO)"
    var issues: [ValidationIssue] = []
    func reject(_ path: String, _ what: String, hint: String = "") {
      issues.append(
        ValidationIssue(
          document: config.key.description, fieldPath: path,
          message: "\(what) \(reason)" + (hint.isEmpty ? "" : "; \(hint)")))
    }
    let matchHint = "match Dubbo calls on method (the method name) and headers (attachments)"
    for (i, route) in http.enumerated() {
      let base = "spec.http[\(i)]"
      for (j, match) in (route.match ?? []).enumerated() {
        let path = "\(base).match[\(j)]"
        if match.uri != nil { reject("\(path).uri", "a uri match", hint: matchHint) }
        if match.scheme != nil { reject("\(path).scheme", "a scheme match", hint: matchHint) }
        if match.authority != nil {
          reject("\(path).authority", "an authority match", hint: matchHint)
        }
        if match.queryParams != nil {
          reject("\(path).queryParams", "a query parameter match", hint: matchHint)
        }
        if match.ignoreUriCase != nil { reject("\(path).ignoreUriCase", "ignoreUriCase") }
      }
      if route.redirect != nil { reject("\(base).redirect", "a redirect") }
      if route.rewrite != nil { reject("\(base).rewrite", "a rewrite") }
      if route.directResponse != nil { reject("\(base).directResponse", "a direct response") }
      if route.mirror != nil { reject("\(base).mirror", "mirroring") }
      if route.mirrors != nil { reject("\(base).mirrors", "mirroring") }
      if route.fault != nil { reject("\(base).fault", "fault injection") }
      if route.corsPolicy != nil { reject("\(base).corsPolicy", "a CORS policy") }
      if route.headers != nil { reject("\(base).headers", "header manipulation") }
      if route.delegate != nil { reject("\(base).delegate", "delegation") }
    }
    return issues
  }
}
