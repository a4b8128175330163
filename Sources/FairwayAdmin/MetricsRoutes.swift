import FairwayStore
import FairwayXDS
import Hummingbird

/// `GET /metrics` in Prometheus' text format (istiod serves the same on its port 15014).
public struct MetricsRoutes: AdminExtension {
  let exporter: PrometheusExporter
  let server: XDSServer
  let store: any ConfigStore

  public init(exporter: PrometheusExporter, server: XDSServer, store: any ConfigStore) {
    self.exporter = exporter
    self.server = server
    self.store = store
  }

  public func registerRoutes(on router: Router<AdminRequestContext>) {
    let exporter = exporter
    let server = server
    let store = store
    router.get("/metrics") { _, _ in
      let text = await exporter.scrape(server: server, store: store)
      return Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(string: text)))
    }
  }
}
