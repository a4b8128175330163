import ArgumentParser
import Foundation

/// `fairway bootstrap envoy|grpc|mosn --node-id ID ...`: prints the bootstrap that connects
/// that client to Fairway over ADS.
struct Bootstrap: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print a bootstrap that connects Envoy, a proxyless gRPC client or MOSN to Fairway.",
    discussion: """
      envoy: Envoy v3 bootstrap JSON (envoy -c FILE).
      grpc:  grpc's xDS bootstrap (GRPC_XDS_BOOTSTRAP=FILE or GRPC_XDS_BOOTSTRAP_CONFIG=JSON); dial xds:///HOST:PORT.
      mosn:  MOSN config JSON (mosn start -c FILE --service-node ID).
      """)

  @Argument(help: "Client: envoy, grpc or mosn.")
  var client: BootstrapConfig.Flavor

  @Option(help: "Node id, e.g. sidecar~10.0.0.5~reviews-1.default~default.svc.cluster.local.")
  var nodeID: String

  @Option(help: "Namespace (node metadata NAMESPACE).")
  var namespace: String = "default"

  @Option(help: "Workload labels k=v,k=v (node metadata LABELS).")
  var labels: String = ""

  @Option(help: "Node cluster; defaults to APP.NAMESPACE from the app label, else NAMESPACE.")
  var cluster: String?

  @Option(
    help: ArgumentHelp(
      "Fairway's ADS address, HOST:PORT (default 127.0.0.1:15010).",
      discussion:
        "Several replicas: repeat the option or separate them with commas; the bootstrap lists every one, so the client moves to another when its replica dies."
    ))
  var xdsAddress: [String] = []

  @Option(help: "The proxy's own admin port (Envoy: none unless set; MOSN: 34901).")
  var adminPort: Int?

  @Option(help: "Node metadata INTERCEPTION_MODE: REDIRECT (iptables), TPROXY or NONE.")
  var interceptionMode: String?

  @Option(
    help:
      "Envoy: ADS flavour, GRPC (state of the world) or DELTA_GRPC (incremental); ads_config api_type."
  )
  var adsApiType: String = "GRPC"

  @Flag(help: "Envoy: incremental (Delta) ADS, the same as --ads-api-type DELTA_GRPC.")
  var delta = false

  @Option(
    help:
      "Envoy on Delta ADS: virtual hosts by VHDS on-demand (the default), up-front, or off (full RDS); node metadata FAIRWAY_VHDS."
  )
  var vhds: String?

  @Option(help: "MOSN: a static Dubbo egress listener on this port (the consumer dials it).")
  var dubboEgressPort: Int?

  @Option(help: "MOSN: the route config the egress listener takes over RDS: the service port.")
  var dubboRoute: String = "20882"

  @Option(
    help: "MOSN: a static Dubbo ingress listener on this port, forwarding to --dubbo-provider-port."
  )
  var dubboIngressPort: Int?

  @Option(help: "MOSN: the local Dubbo provider's port, for --dubbo-ingress-port.")
  var dubboProviderPort: Int = 20880

  @Option(
    help:
      "Auto-register as a member of this WorkloadGroup (in --namespace): node metadata AUTO_REGISTER_GROUP."
  )
  var autoRegisterGroup: String?

  @Option(help: "Node metadata NETWORK (part of an auto-registered WorkloadEntry's name).")
  var network: String?

  @Option(help: "Node locality region[/zone[/subzone]].")
  var locality: String?

  func validate() throws {
    if let locality, locality.split(separator: "/", omittingEmptySubsequences: false).count > 3 {
      throw ValidationError("--locality must be region[/zone[/subzone]]")
    }
    guard !nodeID.isEmpty else { throw ValidationError("--node-id must not be empty") }
    for (flag, port) in [
      ("--admin-port", adminPort), ("--dubbo-egress-port", dubboEgressPort),
      ("--dubbo-ingress-port", dubboIngressPort), ("--dubbo-provider-port", dubboProviderPort),
    ] {
      if let port, !(1...65535).contains(port) {
        throw ValidationError("\(flag) must be in 1...65535")
      }
    }
    if let interceptionMode,
      !["REDIRECT", "TPROXY", "NONE"].contains(interceptionMode.uppercased())
    {
      throw ValidationError("--interception-mode must be REDIRECT, TPROXY or NONE")
    }
    guard ["GRPC", "DELTA_GRPC"].contains(adsApiType.uppercased()) else {
      throw ValidationError("--ads-api-type must be GRPC or DELTA_GRPC")
    }
    if let vhds, !["on-demand", "up-front", "off"].contains(vhds.lowercased()) {
      throw ValidationError("--vhds must be on-demand, up-front or off")
    }
    if dubboEgressPort != nil || dubboIngressPort != nil, client != .mosn {
      throw ValidationError(
        "--dubbo-egress-port and --dubbo-ingress-port are for mosn (Envoy gets Dubbo listeners over LDS)"
      )
    }
    do {
      _ = try BootstrapConfig.parseLabels(labels)
      _ = try BootstrapConfig.parseAddresses(addressValues)
    } catch let error as BootstrapError {
      throw ValidationError(error.description)
    }
  }

  private var addressValues: [String] { xdsAddress.isEmpty ? ["127.0.0.1:15010"] : xdsAddress }

  func run() throws {
    let pairs: [(String, String)]
    let addresses: [BootstrapConfig.XDSAddress]
    do {
      pairs = try BootstrapConfig.parseLabels(labels)
      addresses = try BootstrapConfig.parseAddresses(addressValues)
    } catch let error as BootstrapError {
      throw ValidationError(error.description)
    }
    let app = pairs.last { $0.0 == "app" }?.1
    let config = BootstrapConfig(
      nodeID: nodeID, namespace: namespace, labels: pairs,
      cluster: cluster ?? app.map { "\($0).\(namespace)" } ?? namespace,
      xdsAddresses: addresses, adminPort: adminPort,
      interceptionMode: interceptionMode?.uppercased(),
      adsAPIType: delta ? "DELTA_GRPC" : adsApiType.uppercased(),
      vhds: vhds?.lowercased(),
      dubbo: BootstrapConfig.DubboListeners(
        egressPort: dubboEgressPort, routeName: dubboRoute, ingressPort: dubboIngressPort,
        providerPort: dubboProviderPort),
      autoRegisterGroup: autoRegisterGroup, network: network, locality: locality)
    let data = try JSONSerialization.data(
      withJSONObject: config.build(client),
      options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    print(String(decoding: data, as: UTF8.self))
  }
}

extension BootstrapConfig.Flavor: ExpressibleByArgument {}
