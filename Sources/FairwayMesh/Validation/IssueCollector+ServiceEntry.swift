/// ServiceEntry and WorkloadEntry rules (Istio `ValidateServiceEntry`, `ValidateWorkloadEntry`).
extension IssueCollector {
  static let protocols = [
    "HTTP", "HTTPS", "GRPC", "GRPC-WEB", "HTTP2", "HTTP_PROXY", "MONGO", "MYSQL", "REDIS", "TCP",
    "TLS", "UDP",
    "THRIFT", "DUBBO",
  ]
  static let resolutions = ["NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN"]
  static let locations = ["MESH_EXTERNAL", "MESH_INTERNAL"]

  mutating func serviceEntry(_ spec: ServiceEntry) {
    let hosts = spec.hosts ?? []
    if hosts.isEmpty { add("spec.hosts", "service entry must have at least one host") }
    for (index, host) in hosts.enumerated() {
      if host == "*" {
        add("spec.hosts[\(index)]", "invalid host *")
      } else {
        self.host(host, path: "spec.hosts[\(index)]")
      }
    }
    for (index, address) in (spec.addresses ?? []).enumerated() where !NameRules.isIPOrCIDR(address)
    {
      add(
        "spec.addresses[\(index)]", "invalid address \"\(address)\": must be an IP address or CIDR")
    }
    enumValue(spec.location, allowed: Self.locations, path: "spec.location")
    enumValue(spec.resolution, allowed: Self.resolutions, path: "spec.resolution")

    var portNames = Set<String>()
    var portNumbers = Set<Int>()
    for (index, servicePort) in (spec.ports ?? []).enumerated() {
      let path = "spec.ports[\(index)]"
      port(servicePort.number, path: "\(path).number", required: true)
      if let number = servicePort.number, !portNumbers.insert(number).inserted {
        add("\(path).number", "duplicate port number \(number)")
      }
      if let target = servicePort.targetPort, target != 0 {
        port(target, path: "\(path).targetPort")
      }
      if let name = servicePort.name {
        if !NameRules.isDNS1123Label(name.lowercased()) {
          add("\(path).name", "invalid port name \"\(name)\": must be a DNS-1123 label")
        }
        if !portNames.insert(name).inserted {
          add("\(path).name", "duplicate port name \"\(name)\"")
        }
      }
      if let proto = servicePort.protocol, !Self.protocols.contains(proto.uppercased()) {
        add("\(path).protocol", "unsupported protocol \"\(proto)\"")
      }
    }

    let endpoints = spec.endpoints ?? []
    if spec.workloadSelector != nil && !endpoints.isEmpty {
      add(
        "spec.workloadSelector",
        "only one of workloadSelector or endpoints is allowed in a service entry")
    }
    labels(spec.workloadSelector?.labels, path: "spec.workloadSelector.labels")
    let resolution = spec.effectiveResolution
    switch resolution {
    case "NONE":
      if !endpoints.isEmpty {
        add("spec.endpoints", "no endpoints should be provided for resolution type NONE")
      }
    case "STATIC":
      if endpoints.isEmpty && spec.workloadSelector == nil {
        add(
          "spec.endpoints",
          "endpoints must be provided if service entry resolution mode is STATIC (or set workloadSelector)"
        )
      }
      for (index, endpoint) in endpoints.enumerated() {
        if let address = endpoint.address, !address.isEmpty, !NameRules.isIPAddress(address),
          !address.hasPrefix("unix://")
        {
          add(
            "spec.endpoints[\(index)].address",
            "endpoint address \"\(address)\" is not a valid IP address")
        }
      }
    case "DNS", "DNS_ROUND_ROBIN":
      if endpoints.isEmpty {
        for (index, host) in hosts.enumerated() {
          if NameRules.isIPAddress(host) {
            add(
              "spec.hosts[\(index)]",
              "IP address \(host) is not allowed as a host with resolution \(resolution); use STATIC"
            )
          } else if host.hasPrefix("*") {
            add(
              "spec.hosts[\(index)]",
              "hosts must be FQDN if no endpoints are provided for resolution mode \(resolution)")
          }
        }
      }
      if resolution == "DNS_ROUND_ROBIN" && endpoints.count > 1 {
        add(
          "spec.endpoints", "there must only be 0 or 1 endpoint for resolution mode DNS_ROUND_ROBIN"
        )
      }
      for (index, endpoint) in endpoints.enumerated() {
        if let address = endpoint.address, !address.isEmpty, !NameRules.isIPAddress(address),
          !NameRules.isHostname(address)
        {
          add(
            "spec.endpoints[\(index)].address",
            "endpoint address \"\(address)\" is not a valid FQDN or IP address")
        }
      }
    default:
      break
    }
    for (index, endpoint) in endpoints.enumerated() {
      workloadEntry(endpoint, path: "spec.endpoints[\(index)]", servicePorts: portNames)
    }
    exportTo(spec.exportTo, path: "spec.exportTo")
  }

  /// `servicePorts` is the set of port names of the enclosing ServiceEntry, or `nil` for
  /// a standalone WorkloadEntry whose port names cannot be checked.
  mutating func workloadEntry(_ entry: WorkloadEntry, path: String, servicePorts: Set<String>?) {
    let address = entry.address ?? ""
    if address.isEmpty && (entry.network ?? "").isEmpty {
      add("\(path).address", "address is required (unless network is set)")
    }
    if !address.isEmpty && servicePorts == nil && !NameRules.isIPAddress(address)
      && !NameRules.isHostname(address) && !address.hasPrefix("unix://")
    {
      add(
        "\(path).address",
        "invalid address \"\(address)\": must be an IP address, host name or unix:// path")
    }
    workloadEntryFields(entry, path: path, servicePorts: servicePorts)
  }

  /// Every WorkloadEntry rule but the address: a WorkloadGroup's template shares them (its
  /// address is the proxy's, filled in at registration).
  mutating func workloadEntryFields(
    _ entry: WorkloadEntry, path: String, servicePorts: Set<String>?
  ) {
    for name in (entry.ports ?? [:]).keys.sorted() {
      if let servicePorts, !servicePorts.contains(name) {
        add(
          "\(path).ports.\(name)", "endpoint port \"\(name)\" is not defined by the service entry")
      }
      port(entry.ports?[name], path: "\(path).ports.\(name)")
    }
    labels(entry.labels, path: "\(path).labels")
    if let weight = entry.weight, weight < 0 || weight > Int(UInt32.max) {
      add("\(path).weight", "weight \(weight) must be in the range 0..4294967295")
    }
    if let locality = entry.locality,
      locality.split(separator: "/", omittingEmptySubsequences: false).count > 3
    {
      add("\(path).locality", "locality \"\(locality)\" must be region/zone/subzone")
    }
    if let account = entry.serviceAccount, !account.isEmpty, !NameRules.isDNS1123Subdomain(account)
    {
      add("\(path).serviceAccount", "invalid service account \"\(account)\"")
    }
  }
}
