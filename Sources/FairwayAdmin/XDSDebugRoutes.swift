import FairwayAPI
import FairwayResources
import FairwayXDS
import Foundation
import Hummingbird

/// The xDS side of the admin API: `/debug/syncz`, `/debug/adsz`, `/debug/push_status` and
/// `/debug/config_dump`, as istiod serves them on its monitoring port.
public struct XDSDebugRoutes: AdminExtension {
  let reports: DebugReports

  public init(server: XDSServer) {
    self.reports = DebugReports(server: server)
  }

  public func registerRoutes(on router: Router<AdminRequestContext>) {
    let reports = reports
    router.get("/debug/syncz") { _, _ in
      try AdminResponse.json(encoding: reports.syncz())
    }
    router.get("/debug/adsz") { _, _ in
      try AdminResponse.json(encoding: reports.adsz())
    }
    router.get("/debug/push_status") { _, _ in
      try AdminResponse.json(encoding: reports.pushStatus())
    }
    router.get("/debug/config_dump") { request, _ in
      try Self.configDump(request: request, reports: reports)
    }
  }

  /// What a connected proxy was last sent (`proxyID`), or what a hypothetical proxy described
  /// by query parameters would get.
  static func configDump(request: Request, reports: DebugReports) throws -> Response {
    let query = request.uri.queryParameters
    if let proxyID = query["proxyID"].map(String.init), !proxyID.isEmpty,
      query["ip"] == nil, query["namespace"] == nil
    {
      guard let dumps = try reports.configDump(proxyID: proxyID) else {
        throw AdminError(
          .notFound, "no connected proxy with id \(proxyID)",
          details: [
            .init(
              field: "proxyID",
              message:
                "not connected; pass ip/namespace/labels/type to describe a hypothetical proxy")
          ])
      }
      return try AdminResponse.json(encoding: ConfigDumpResponse(dumps))
    }
    return try AdminResponse.json(
      encoding: ConfigDumpResponse.one(reports.configDump(for: Self.hypotheticalProxy(query))))
  }

  /// A proxy described by query parameters: ip, namespace, labels (k=v,k=v), type
  /// (sidecar | router), client (envoy | mosn | grpc), interception (REDIRECT | TPROXY | NONE),
  /// proxyID.
  static func hypotheticalProxy(_ query: Parameters) throws -> Proxy {
    var labels: [String: String] = [:]
    if let text = query["labels"], !text.isEmpty {
      for pair in text.split(separator: ",") {
        let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty else {
          throw AdminError(
            .badRequest, "invalid labels",
            details: [.init(field: "labels", message: "want k=v,k=v; got \"\(pair)\"")])
        }
        labels[parts[0]] = parts[1]
      }
    }
    let kindText = query["type"].map(String.init) ?? "sidecar"
    guard let kind = Proxy.Kind(rawValue: kindText) else {
      throw AdminError(
        .badRequest, "invalid type",
        details: [.init(field: "type", message: "want sidecar or router; got \"\(kindText)\"")])
    }
    let clientText = query["client"].map(String.init) ?? "envoy"
    guard let client = Proxy.Client(rawValue: clientText) else {
      throw AdminError(
        .badRequest, "invalid client",
        details: [
          .init(field: "client", message: "want envoy, mosn or grpc; got \"\(clientText)\"")
        ])
    }
    let namespace = query["namespace"].map(String.init) ?? "default"
    let ip = query["ip"].map(String.init)
    var interception: Proxy.InterceptionMode?
    if let text = query["interception"].map(String.init), !text.isEmpty {
      guard let mode = Proxy.InterceptionMode(rawValue: text.uppercased()) else {
        throw AdminError(
          .badRequest, "invalid interception",
          details: [
            .init(field: "interception", message: "want REDIRECT, TPROXY or NONE; got \"\(text)\"")
          ])
      }
      interception = mode
    }
    return Proxy(
      id: query["proxyID"].map(String.init)
        ?? "\(kind.rawValue)~\(ip ?? "")~hypothetical.\(namespace)~\(namespace).svc.cluster.local",
      kind: kind, client: client, ipAddresses: ip.map { [$0] } ?? [], namespace: namespace,
      dnsDomain: "\(namespace).svc.cluster.local", labels: labels, interceptionMode: interception)
  }
}
