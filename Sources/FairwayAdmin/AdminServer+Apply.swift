import FairwayAPI
import FairwayMesh
import FairwayStore
import Hummingbird

extension AdminServer {
  func registerApply(on router: Router<AdminRequestContext>) {
    router.post("/apply") { request, _ in
      try await self.apply(request)
    }
  }

  /// `POST /apply`: parse and validate every document, then store them atomically.
  func apply(_ request: Request) async throws -> Response {
    let format = try Self.contentFormat(of: request)
    let body = try await readBody(request)
    let parser = parser
    let parsed = try await ParseWorkers.run { try parser.parse(body, format: format) }
    if parsed.objects.isEmpty {
      throw AdminError(.badRequest, "no documents in request body")
    }
    let results = try await store.apply(parsed.objects)
    // The revision holding every object as applied (unchanged ones included): what
    // `GET /wait` waits for. A later write elsewhere does not delay the wait.
    var revision = results.compactMap { Int64($0.resourceVersion) }.max() ?? 0
    if results.isEmpty { revision = await store.revision }
    for result in results where result.action != .unchanged {
      logger.info(
        "\(result.action.rawValue) \(result.key) at resourceVersion \(result.resourceVersion)")
    }
    let summary = ApplyResponse(
      revision: revision, results: results.map(Self.apiResult),
      warnings: parsed.warnings.map(\.description))
    return try AdminResponse.negotiated(encoding: summary, request: request)
  }

  static func apiResult(_ result: ApplyResult) -> ApplyResponse.Result {
    ApplyResponse.Result(
      kind: result.key.kind.rawValue, namespace: result.key.namespace, name: result.key.name,
      action: result.action.rawValue, resourceVersion: result.resourceVersion,
      generation: result.object.metadata.generation)
  }
}
