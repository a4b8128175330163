import FairwayMesh

/// How the registry turns one interface's providers into Istio configs: one ServiceEntry per
/// interface (host = the interface, case kept; port `tcp-dubbo`, protocol DUBBO) selecting one
/// WorkloadEntry per provider (address, `tcp-dubbo` port, weight, labels from the URL's
/// parameters), all labelled `fairway.io/managed-by: dubbo-zookeeper`.
///
/// Where this differs from Aeraki's dubbo2istio, and why (see docs/dubbo-zookeeper.md):
/// the host is the interface as registered, not `interface-group-version` lower-cased, because
/// Fairway's Dubbo routes take the interface Envoy matches calls against from the host; group
/// and version stay labels (subsets select them, VirtualService `group`/`version` attachment
/// matches pin them). Endpoints are WorkloadEntries, not inline: a provider coming or going is
/// then an endpoint-only change (EDS push of one service) instead of a ServiceEntry change
/// (CDS, LDS and RDS for every proxy). The service port is the lowest provider port, and
/// each provider keeps its own port (dubbo2istio drops providers on another port). Dubbo's
/// `weight` becomes the endpoint weight (default 100, as Dubbo's), 0 leaves the provider out.
public enum DubboServiceEntries {
  public static let managedBy = "dubbo-zookeeper"
  public static let interfaceAnnotation = "fairway.io/dubbo-interface"
  /// The selector label tying WorkloadEntries to their ServiceEntry (a hash of the interface:
  /// label values are at most 63 characters, interfaces are not).
  public static let serviceLabel = "fairway.io/dubbo-service"
  public static let portName = "tcp-dubbo"

  /// The ServiceEntry and WorkloadEntry documents for one interface's providers (none when no
  /// provider is usable). Providers sharing an address and port are one endpoint: the latest
  /// registration (timestamp, then node name) wins.
  public static func documents(
    interface: String, providers: some Collection<DubboProviderURL>, namespace: String
  ) -> [JSONValue] {
    var byEndpoint: [String: DubboProviderURL] = [:]
    for provider in providers where provider.weight > 0 && provider.interface == interface {
      let key = "\(provider.host)|\(provider.port)"
      if let other = byEndpoint[key], !isLater(provider, than: other) { continue }
      byEndpoint[key] = provider
    }
    guard let servicePort = byEndpoint.values.map(\.port).min() else { return [] }
    let name = serviceEntryName(interface)
    let selector = selectorValue(interface)
    let metadata: (String) -> JSONValue = { objectName in
      .object([
        "name": .string(objectName), "namespace": .string(namespace),
        "labels": .object([ConfigMetadata.managedByLabel: .string(managedBy)]),
        "annotations": .object([interfaceAnnotation: .string(interface)]),
      ])
    }
    var documents: [JSONValue] = [
      .object([
        "apiVersion": .string("networking.istio.io/v1"), "kind": .string("ServiceEntry"),
        "metadata": metadata(name),
        "spec": .object([
          "hosts": .array([.string(interface)]),
          "location": .string("MESH_INTERNAL"),
          "resolution": .string("STATIC"),
          "ports": .array([
            .object([
              "number": .int(Int64(servicePort)), "name": .string(portName),
              "protocol": .string("DUBBO"),
            ])
          ]),
          "workloadSelector": .object(["labels": .object([serviceLabel: .string(selector)])]),
        ]),
      ])
    ]
    for key in byEndpoint.keys.sorted() {
      guard let provider = byEndpoint[key] else { continue }
      var labels = endpointLabels(provider).mapValues { JSONValue.string($0) }
      labels[serviceLabel] = .string(selector)
      documents.append(
        .object([
          "apiVersion": .string("networking.istio.io/v1"), "kind": .string("WorkloadEntry"),
          "metadata": metadata(
            workloadEntryName(interface, host: provider.host, port: provider.port)),
          "spec": .object([
            "address": .string(provider.host),
            "ports": .object([portName: .int(Int64(provider.port))]),
            "labels": .object(labels),
            "weight": .int(Int64(provider.weight)),
          ]),
        ]))
    }
    return documents
  }

  /// The URL's parameters that are valid labels, as dubbo2istio keeps them (commas in values,
  /// e.g. `methods`, become dashes; keys or values that are not label syntax are dropped).
  public static func endpointLabels(_ provider: DubboProviderURL) -> [String: String] {
    var labels: [String: String] = [:]
    for (key, value) in provider.parameters {
      let cleaned = value.replacingOccurrences(of: ",", with: "-")
      guard key != serviceLabel, NameRules.isLabelKey(key), NameRules.isLabelValue(cleaned) else {
        continue
      }
      labels[key] = cleaned
    }
    return labels
  }

  /// `dubbo-<interface lower-cased, other characters as '-'>-<hash>`: a DNS subdomain, unique
  /// per interface even when two differ only in case.
  public static func serviceEntryName(_ interface: String) -> String {
    "dubbo-\(sanitized(interface))-\(selectorValue(interface).prefix(8))"
  }

  public static func workloadEntryName(_ interface: String, host: String, port: Int) -> String {
    let address = String(host.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    return "\(serviceEntryName(interface))-\(address)-\(port)"
  }

  /// FNV-1a (64 bits, hex) of the interface: stable across runs and replicas.
  public static func selectorValue(_ interface: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in interface.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }

  private static func sanitized(_ interface: String) -> String {
    var out = ""
    for character in interface.lowercased() {
      if character.isASCII, character.isLetter || character.isNumber || character == "." {
        out.append(character)
      } else {
        out.append("-")
      }
    }
    // Every dot-separated label must start and end with an alphanumeric.
    let labels = out.split(separator: ".").map { label in
      String(label.drop { $0 == "-" }.reversed().drop { $0 == "-" }.reversed())
    }.filter { !$0.isEmpty }
    return String(labels.joined(separator: ".").prefix(200))
  }

  private static func isLater(_ a: DubboProviderURL, than b: DubboProviderURL) -> Bool {
    let (ta, tb) = (a.timestamp ?? 0, b.timestamp ?? 0)
    return ta != tb ? ta > tb : a.node > b.node
  }
}
