import FairwayMesh
import Hummingbird

extension AdminServer {
  func registerDebug(on router: Router<AdminRequestContext>) {
    // istiod's shape: a JSON array of {apiVersion, kind, metadata, spec}.
    router.get("/debug/configz") { request, _ in
      let objects = await self.store.list(kind: nil, namespace: nil)
      return AdminResponse.negotiated(.array(objects.map(\.jsonValue)), request: request)
    }
    router.get("/healthz/ready") { _, _ in
      guard await self.readiness() else {
        throw AdminError(.serviceUnavailable, "not ready")
      }
      return Response(
        status: .ok, headers: [.contentType: "text/plain"],
        body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
    }
  }
}
