import ArgumentParser
import FairwayAPI
import FairwayAnalyze
import FairwayMesh
import Foundation

/// `fairway proxy-config clusters|listeners|routes|endpoints PROXY_ID`: istioctl's tables from
/// what the proxy was last sent (`/debug/config_dump?proxyID=`), or from what a hypothetical
/// proxy would get (`--namespace`, `--labels`).
struct ProxyConfig: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "proxy-config",
    abstract: "Show the clusters, listeners, routes or endpoints a proxy was sent.",
    discussion: """
      PROXY_ID is a connected proxy's node id (see `fairway proxy-status`); the tables show what \
      it was last sent. Without PROXY_ID, --namespace/--labels/--ip describe a hypothetical proxy \
      and the tables show what it would get now.

      DESTINATION RULE and VIRTUAL SERVICE name the config that applies to the host today \
      (from /debug/configz); DESTINATION is where a route sends traffic, with weights. \
      Endpoint STATUS is the health the control plane sent; OUTLIER CHECK is ENABLED when the \
      cluster has outlier detection (ejections happen in the proxy, out of the control plane's \
      sight).

      Examples:
        fairway proxy-config clusters sidecar~10.0.0.9~productpage-v1-1.default~default.svc.cluster.local
        fairway proxy-config clusters PROXY_ID --fqdn reviews.default.svc.cluster.local --subset v1
        fairway proxy-config routes PROXY_ID --name 9080
        fairway proxy-config endpoints PROXY_ID --port 9080 --direction outbound
        fairway proxy-config listeners --namespace default --labels app=reviews,version=v1 --ip 10.10.1.11
        fairway proxy-config clusters PROXY_ID -o yaml
      """)

  enum Resource: String, ExpressibleByArgument, CaseIterable {
    case clusters, listeners, routes, endpoints

    init?(argument: String) {
      switch argument.lowercased() {
      case "clusters", "cluster", "c": self = .clusters
      case "listeners", "listener", "l": self = .listeners
      case "routes", "route", "r": self = .routes
      case "endpoints", "endpoint", "ep", "eps": self = .endpoints
      default: return nil
      }
    }
  }

  enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case short, json, yaml
  }

  enum Direction: String, ExpressibleByArgument, CaseIterable {
    case inbound, outbound
  }

  enum Client: String, ExpressibleByArgument, CaseIterable {
    case envoy, mosn, grpc
  }

  enum ProxyType: String, ExpressibleByArgument, CaseIterable {
    case sidecar, router
  }

  @Argument(help: "What to show: clusters, listeners, routes or endpoints.")
  var resource: Resource

  @Argument(
    help: "Node id of a connected proxy (see fairway proxy-status).",
    completion: .custom { words, _, prefix in
      ProxyIDCompletion.complete(words: words, prefix: prefix)
    })
  var proxyID: String?

  @Option(name: .shortAndLong, help: "Hypothetical proxy: its namespace.")
  var namespace: String?

  @Option(help: "Hypothetical proxy: its labels, k=v,k=v.")
  var labels: String?

  @Option(help: "Hypothetical proxy: its IP address (selects its inbound listeners).")
  var ip: String?

  @Option(help: "Hypothetical proxy: envoy, mosn or grpc.")
  var client: Client?

  @Option(help: "Hypothetical proxy: sidecar or router.")
  var proxyType: ProxyType?

  @Option(help: "Clusters and endpoints: only this service FQDN.")
  var fqdn: String?

  @Option(
    help: "Only this port (clusters, endpoints: the service port; listeners: the listener's).")
  var port: Int?

  @Option(help: "Clusters and endpoints: only this subset.")
  var subset: String?

  @Option(help: "Clusters and endpoints: only inbound or outbound.")
  var direction: Direction?

  @Option(help: "Routes: only the route configuration with this name.")
  var name: String?

  @Option(help: "Listeners and endpoints: only this address.")
  var address: String?

  @Option(help: "Endpoints: only this status (HEALTHY, UNHEALTHY, DRAINING, ...).")
  var status: String?

  @Option(name: .shortAndLong, help: "Output format: short (istioctl's table), json or yaml.")
  var output: OutputFormat = .short

  @OptionGroup var server: ServerOptions

  func validate() throws {
    let hypothetical =
      namespace != nil || labels != nil || ip != nil || client != nil
      || proxyType != nil
    if proxyID == nil && !hypothetical {
      throw ValidationError(
        "pass PROXY_ID (a connected proxy, see fairway proxy-status) or --namespace/--labels/--ip for a hypothetical one"
      )
    }
    if proxyID != nil && hypothetical {
      throw ValidationError(
        "PROXY_ID shows what a connected proxy was sent; --namespace/--labels/--ip/--client/--proxy-type describe a hypothetical one: pass one or the other"
      )
    }
  }

  func run() async throws {
    let client = try server.client()
    let answer = try await client.get(ConfigDumpResponse.self, path: dumpPath())
    let dump: ConfigDumpView
    do {
      dump = try ConfigDumpView(JSONValue(answer), proxyID: proxyID)
    } catch {
      throw CLIError("error: unexpected /debug/config_dump answer from \(server.server): \(error)")
    }
    let table = try await self.table(dump, client: client)
    switch output {
    case .short:
      print(table.text)
    case .json:
      print(JSONValue.array(table.resources).serialized(pretty: true))
    case .yaml:
      FileHandle.standardOutput.write(Data(JSONValue.array(table.resources).yamlString().utf8))
    }
  }

  func table(_ dump: ConfigDumpView, client: AdminClient) async throws -> ProxyConfigTable {
    let filter = ClusterFilter(
      fqdn: fqdn, port: port, subset: subset, direction: direction?.rawValue)
    switch resource {
    case .clusters:
      return ClusterTable.build(
        dump, filter: filter, mesh: output == .short ? await mesh(client) : nil)
    case .listeners:
      return ListenerTable.build(dump, port: port, address: address)
    case .routes:
      return RouteTable.build(dump, name: name, mesh: output == .short ? await mesh(client) : nil)
    case .endpoints:
      return EndpointTable.build(dump, filter: filter, address: address, status: status)
    }
  }

  /// `/debug/config_dump` with the proxy id, or with the hypothetical proxy's description.
  func dumpPath() -> String {
    var query: [(String, String)] = []
    if let proxyID {
      query.append(("proxyID", proxyID))
    } else {
      query.append(("namespace", namespace ?? "default"))
      if let labels { query.append(("labels", labels)) }
      if let ip { query.append(("ip", ip)) }
      if let client { query.append(("client", client.rawValue)) }
      if let proxyType { query.append(("type", proxyType.rawValue)) }
    }
    var allowed = CharacterSet.urlQueryAllowed
    allowed.remove(charactersIn: "&=+;#")
    return "/debug/config_dump?"
      + query.map {
        "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)"
      }
      .joined(separator: "&")
  }

  /// The stored configs, to name the DestinationRule and VirtualService of each host; nil (and
  /// empty columns) when they cannot be read.
  func mesh(_ client: AdminClient) async -> MeshModel? {
    do {
      let documents = try await client.get(JSONValue.self, path: "/debug/configz")
      var input = AnalysisInput()
      input.add(documents: documents.arrayValue ?? [], source: nil)
      return MeshModel(snapshot: input.snapshot)
    } catch {
      CLIError.warn("warning: cannot read /debug/configz (\(error)); config columns left empty")
      return nil
    }
  }
}
