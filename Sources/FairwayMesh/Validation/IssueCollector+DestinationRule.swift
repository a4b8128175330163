/// DestinationRule rules (Istio `ValidateDestinationRule`).
extension IssueCollector {
  static let simpleLB = [
    "UNSPECIFIED", "RANDOM", "PASSTHROUGH", "ROUND_ROBIN", "LEAST_REQUEST", "LEAST_CONN",
  ]
  static let tlsModes = ["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"]

  mutating func destinationRule(_ spec: DestinationRule) {
    host(spec.host, path: "spec.host", allowBareWildcard: false)
    if let policy = spec.trafficPolicy { trafficPolicy(policy, path: "spec.trafficPolicy") }
    var names = Set<String>()
    for (index, subset) in (spec.subsets ?? []).enumerated() {
      let path = "spec.subsets[\(index)]"
      if let name = subset.name, !name.isEmpty {
        if !NameRules.isDNS1123Label(name) {
          add("\(path).name", "invalid subset name \"\(name)\": must be a DNS-1123 label")
        }
        if !names.insert(name).inserted {
          add("\(path).name", "duplicate subset name \"\(name)\"")
        }
      } else {
        add("\(path).name", "subset name is required")
      }
      labels(subset.labels, path: "\(path).labels")
      if let policy = subset.trafficPolicy { trafficPolicy(policy, path: "\(path).trafficPolicy") }
    }
    exportTo(spec.exportTo, path: "spec.exportTo")
    labels(spec.workloadSelector?.matchLabels, path: "spec.workloadSelector.matchLabels")
    if let selector = spec.workloadSelector, (selector.matchLabels ?? [:]).isEmpty {
      add("spec.workloadSelector.matchLabels", "workloadSelector must select at least one label")
    }
  }

  private mutating func trafficPolicy(_ policy: TrafficPolicy, path: String) {
    if policy.loadBalancer == nil && policy.connectionPool == nil && policy.outlierDetection == nil
      && policy.tls == nil && (policy.portLevelSettings ?? []).isEmpty
    {
      add(path, "traffic policy must have at least one field")
    }
    loadBalancer(policy.loadBalancer, path: "\(path).loadBalancer")
    connectionPool(policy.connectionPool, path: "\(path).connectionPool")
    outlierDetection(policy.outlierDetection, path: "\(path).outlierDetection")
    tls(policy.tls, path: "\(path).tls")
    var ports = Set<Int>()
    for (index, setting) in (policy.portLevelSettings ?? []).enumerated() {
      let settingPath = "\(path).portLevelSettings[\(index)]"
      port(setting.port?.number, path: "\(settingPath).port.number", required: true)
      if let number = setting.port?.number, !ports.insert(number).inserted {
        add("\(settingPath).port.number", "duplicate port level setting for port \(number)")
      }
      loadBalancer(setting.loadBalancer, path: "\(settingPath).loadBalancer")
      connectionPool(setting.connectionPool, path: "\(settingPath).connectionPool")
      outlierDetection(setting.outlierDetection, path: "\(settingPath).outlierDetection")
      tls(setting.tls, path: "\(settingPath).tls")
    }
  }

  private mutating func loadBalancer(_ lb: LoadBalancerSettings?, path: String) {
    guard let lb else { return }
    enumValue(lb.simple, allowed: Self.simpleLB, path: "\(path).simple")
    if lb.simple != nil && lb.consistentHash != nil {
      add(path, "only one of simple or consistentHash may be set")
    }
    if let hash = lb.consistentHash {
      let hashPath = "\(path).consistentHash"
      let keys = [
        hash.httpHeaderName != nil, hash.httpCookie != nil, hash.useSourceIp == true,
        hash.httpQueryParameterName != nil,
      ]
      .filter { $0 }.count
      if keys != 1 {
        add(
          hashPath,
          "exactly one of httpHeaderName, httpCookie, useSourceIp or httpQueryParameterName must be set"
        )
      }
      if let cookie = hash.httpCookie {
        if (cookie.name ?? "").isEmpty {
          add("\(hashPath).httpCookie.name", "cookie name is required")
        }
        duration(cookie.ttl, path: "\(hashPath).httpCookie.ttl")
      }
      if hash.ringHash != nil && hash.maglev != nil {
        add(hashPath, "only one of ringHash or maglev may be set")
      }
      nonNegative(hash.ringHash?.minimumRingSize, path: "\(hashPath).ringHash.minimumRingSize")
      nonNegative(hash.minimumRingSize, path: "\(hashPath).minimumRingSize")
      nonNegative(hash.maglev?.tableSize, path: "\(hashPath).maglev.tableSize")
    }
    if let locality = lb.localityLbSetting {
      let localityPath = "\(path).localityLbSetting"
      if !(locality.distribute ?? []).isEmpty && !(locality.failover ?? []).isEmpty {
        add(localityPath, "can not simultaneously set both distribute and failover")
      }
      for (index, rule) in (locality.distribute ?? []).enumerated() {
        // Istio's type is map<string, uint32>.
        for (locality, weight) in (rule.to ?? [:]).sorted(by: { $0.key < $1.key })
        where weight < 0 || weight > Int(UInt32.max) {
          add(
            "\(localityPath).distribute[\(index)].to.\(locality)",
            "weight \(weight) must be in the range 0..\(UInt32.max)")
        }
        let total = (rule.to ?? [:]).values.reduce(0, Self.saturatingSum)
        if total != 100 {
          add("\(localityPath).distribute[\(index)].to", "total locality weight \(total) != 100")
        }
        if (rule.from ?? "").isEmpty {
          add("\(localityPath).distribute[\(index)].from", "from is required")
        }
      }
      for (index, rule) in (locality.failover ?? []).enumerated() {
        if rule.from == rule.to {
          add(
            "\(localityPath).failover[\(index)]",
            "locality lb failover settings must specify different regions")
        }
        if (rule.from ?? "").contains("/") || (rule.to ?? "").contains("/") {
          add("\(localityPath).failover[\(index)]", "locality lb failover only specifies regions")
        }
      }
    }
    duration(lb.warmupDurationSecs, path: "\(path).warmupDurationSecs")
  }

  private mutating func connectionPool(_ pool: ConnectionPoolSettings?, path: String) {
    guard let pool else { return }
    if pool.tcp == nil && pool.http == nil {
      add(path, "connection pool must have at least one field")
    }
    if let tcp = pool.tcp {
      nonNegative(tcp.maxConnections, path: "\(path).tcp.maxConnections")
      duration(tcp.connectTimeout, path: "\(path).tcp.connectTimeout", atLeastOneMillisecond: true)
      duration(
        tcp.maxConnectionDuration, path: "\(path).tcp.maxConnectionDuration",
        atLeastOneMillisecond: true)
      duration(tcp.idleTimeout, path: "\(path).tcp.idleTimeout")
      nonNegative(tcp.tcpKeepalive?.probes, path: "\(path).tcp.tcpKeepalive.probes")
      duration(
        tcp.tcpKeepalive?.time, path: "\(path).tcp.tcpKeepalive.time", atLeastOneMillisecond: true)
      duration(
        tcp.tcpKeepalive?.interval, path: "\(path).tcp.tcpKeepalive.interval",
        atLeastOneMillisecond: true)
    }
    if let http = pool.http {
      nonNegative(http.http1MaxPendingRequests, path: "\(path).http.http1MaxPendingRequests")
      nonNegative(http.http2MaxRequests, path: "\(path).http.http2MaxRequests")
      nonNegative(http.maxRequestsPerConnection, path: "\(path).http.maxRequestsPerConnection")
      nonNegative(http.maxRetries, path: "\(path).http.maxRetries")
      nonNegative(http.maxConcurrentStreams, path: "\(path).http.maxConcurrentStreams")
      duration(http.idleTimeout, path: "\(path).http.idleTimeout", atLeastOneMillisecond: true)
      enumValue(
        http.h2UpgradePolicy, allowed: ["DEFAULT", "DO_NOT_UPGRADE", "UPGRADE"],
        path: "\(path).http.h2UpgradePolicy")
    }
  }

  private mutating func outlierDetection(_ detection: OutlierDetection?, path: String) {
    guard let detection else { return }
    nonNegative(detection.consecutiveErrors, path: "\(path).consecutiveErrors")
    nonNegative(detection.consecutive5xxErrors, path: "\(path).consecutive5xxErrors")
    nonNegative(detection.consecutiveGatewayErrors, path: "\(path).consecutiveGatewayErrors")
    nonNegative(
      detection.consecutiveLocalOriginFailures, path: "\(path).consecutiveLocalOriginFailures")
    duration(detection.interval, path: "\(path).interval", atLeastOneMillisecond: true)
    duration(
      detection.baseEjectionTime, path: "\(path).baseEjectionTime", atLeastOneMillisecond: true)
    percentInt(detection.maxEjectionPercent, path: "\(path).maxEjectionPercent")
    percentInt(detection.minHealthPercent, path: "\(path).minHealthPercent")
  }

  private mutating func tls(_ settings: ClientTLSSettings?, path: String) {
    guard let settings else { return }
    enumValue(settings.mode, allowed: Self.tlsModes, path: "\(path).mode")
    if let credential = settings.credentialName, !credential.isEmpty {
      add(
        "\(path).credentialName",
        "credentialName is not supported by Fairway (no SDS): give clientCertificate, privateKey and caCertificates files"
      )
    }
    for (index, name) in (settings.subjectAltNames ?? []).enumerated() where name.isEmpty {
      add("\(path).subjectAltNames[\(index)]", "subject alt name must not be empty")
    }
    if settings.mode == "MUTUAL" && settings.credentialName == nil {
      if (settings.clientCertificate ?? "").isEmpty {
        add("\(path).clientCertificate", "client certificate required for mutual tls")
      }
      if (settings.privateKey ?? "").isEmpty {
        add("\(path).privateKey", "private key required for mutual tls")
      }
    }
    if settings.mode == "ISTIO_MUTUAL" || settings.mode == "DISABLE" {
      let extra = [
        settings.clientCertificate, settings.privateKey, settings.caCertificates,
        settings.credentialName,
      ]
      .contains { $0 != nil }
      if extra {
        add(path, "cannot specify certificates or a credential with mode \(settings.mode ?? "")")
      }
    }
  }
}
