import FairwayAPI
import FairwayAnalyze
import FairwayMesh
import FairwayStore
import Hummingbird

extension AdminServer {
  func registerApply(on router: Router<AdminRequestContext>) {
    router.post("/apply") { request, _ in
      try await self.apply(request)
    }
  }

  /// `POST /apply`: parse and validate every document, then store them atomically. With
  /// `?analyze=true`, the analyzers' messages about the applied objects come back too.
  func apply(_ request: Request) async throws -> Response {
    let analyze = try Self.analyzeFlag(of: request)
    let format = try Self.contentFormat(of: request)
    let body = try await readBody(request)
    let parser = parser
    let parsed = try await ParseWorkers.run { try parser.parse(body, format: format) }
    if parsed.objects.isEmpty {
      throw AdminError(.badRequest, "no documents in request body")
    }
    try await refuseOwned(parsed.objects)
    let results = try await store.apply(parsed.objects)
    // The revision holding every object as applied (unchanged ones included): what
    // `GET /wait` waits for. A later write elsewhere does not delay the wait.
    var revision = results.compactMap { Int64($0.resourceVersion) }.max() ?? 0
    if results.isEmpty { revision = await store.revision }
    for result in results where result.action != .unchanged {
      logger.info(
        "\(result.action.rawValue) \(result.key) at resourceVersion \(result.resourceVersion)")
    }
    var analysis: [ApplyResponse.Analysis]?
    if analyze {
      // Opt-in: the analyzers see the whole store, O(store) per apply (BENCHMARKS.md, "Apply
      // latency as the store grows"). The snapshot may include later writes; never rejects.
      let snapshot = await store.snapshot()
      let keys = Set(parsed.objects.map(\.key))
      analysis = try await ParseWorkers.run {
        Analyzers.run(on: snapshot, concerning: keys).map(Self.apiAnalysis)
      }
    }
    let summary = ApplyResponse(
      revision: revision, results: results.map(Self.apiResult),
      warnings: parsed.warnings.map(\.description), analysis: analysis)
    return try AdminResponse.negotiated(encoding: summary, request: request)
  }

  static func apiResult(_ result: ApplyResult) -> ApplyResponse.Result {
    ApplyResponse.Result(
      kind: result.key.kind.rawValue, namespace: result.key.namespace, name: result.key.name,
      action: result.action.rawValue, resourceVersion: result.resourceVersion,
      generation: result.object.metadata.generation)
  }

  /// `analyze=true|false` (absent: false). Anything else is a 400 naming the parameter, so a
  /// typo does not silently skip the analysis.
  static func analyzeFlag(of request: Request) throws -> Bool {
    guard let value = request.uri.queryParameters["analyze"] else { return false }
    switch String(value).lowercased() {
    case "true", "1", "": return true
    case "false", "0": return false
    default:
      throw AdminError(
        .badRequest, "invalid analyze",
        details: [.init(field: "analyze", message: "want true or false; got \"\(value)\"")])
    }
  }

  static func apiAnalysis(_ message: AnalysisMessage) -> ApplyResponse.Analysis {
    ApplyResponse.Analysis(
      code: message.type.code, name: message.type.name, level: message.severity.rawValue,
      message: message.text, origin: message.resource, field: message.field,
      kind: message.origin?.kind.rawValue, namespace: message.origin?.namespace,
      resourceName: message.origin?.name, documentationUrl: message.type.documentationURL)
  }
}
