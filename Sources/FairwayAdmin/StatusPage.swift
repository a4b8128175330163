import FairwayStore
import FairwayXDS
import Hummingbird

/// `GET /`: a status page for people, rendered on the server from the same state the debug
/// endpoints read: connected proxies and their sync state, NACKs, recent pushes, configs.
public struct StatusPage: AdminExtension {
  let server: XDSServer
  let store: any ConfigStore

  public init(server: XDSServer, store: any ConfigStore) {
    self.server = server
    self.store = store
  }

  public func registerRoutes(on router: Router<AdminRequestContext>) {
    let server = server
    let store = store
    router.get("/") { _, _ in
      let model = await StatusPageModel.gather(server: server, store: store)
      return Response(
        status: .ok,
        headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
        body: .init(byteBuffer: ByteBuffer(string: StatusPageHTML.render(model))))
    }
  }
}
