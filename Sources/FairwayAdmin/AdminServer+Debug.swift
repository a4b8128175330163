import FairwayAnalyze
import FairwayMesh
import Hummingbird

extension AdminServer {
  func registerDebug(on router: Router<AdminRequestContext>) {
    // istiod's shape: a JSON array of {apiVersion, kind, metadata, spec}.
    router.get("/debug/configz") { request, _ in
      let objects = await self.store.list(kind: nil, namespace: nil)
      return AdminResponse.negotiated(.array(objects.map(\.jsonValue)), request: request)
    }
    // The analyzers over the whole store (e.g. IST0109: several VirtualServices for one host,
    // and which one sidecars use), as `apply?analyze=true` reports them; O(store) per call.
    router.get("/debug/analyze") { request, _ in
      let snapshot = await self.store.snapshot()
      let messages = try await ParseWorkers.run {
        Analyzers.sorted(Analyzers.run(MeshModel(snapshot: snapshot))).map(Self.apiAnalysis)
      }
      return try AdminResponse.negotiated(encoding: messages, request: request)
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
