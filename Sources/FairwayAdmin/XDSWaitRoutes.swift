import FairwayAPI
import FairwayResources
import FairwayStore
import FairwayXDS
import Foundation
import Hummingbird

/// `GET /wait?revision=R&timeout=30s`: blocks until every connected proxy has ACKed a
/// version that includes store revision R (the `revision` of an apply or delete; default: the
/// store's current one), then answers 200 with a `WaitResponse`. 409 when a proxy NACKed it
/// (the body names it, with Envoy's message), 504 when the timeout ran out first (the body
/// names the proxies that have not answered), 400 for a bad revision or timeout.
public struct XDSWaitRoutes: AdminExtension {
  let server: XDSServer
  let store: any ConfigStore

  /// The longest wait one request may ask for: a client wanting more asks again.
  public static let maxTimeoutSeconds = 300.0
  static let defaultTimeoutSeconds = 30.0

  public init(server: XDSServer, store: any ConfigStore) {
    self.server = server
    self.store = store
  }

  public func registerRoutes(on router: Router<AdminRequestContext>) {
    let routes = self
    router.get("/wait") { request, _ in
      try await routes.wait(request)
    }
  }

  func wait(_ request: Request) async throws -> Response {
    let query = request.uri.queryParameters
    let current = await store.revision
    var revision = current
    if let text = query["revision"].map(String.init) {
      guard let value = Int64(text), value >= 0 else {
        throw AdminError(
          .badRequest, "invalid revision",
          details: [
            .init(
              field: "revision", message: "want a store revision (an integer >= 0); got \"\(text)\""
            )
          ])
      }
      guard value <= current else {
        throw AdminError(
          .badRequest, "revision \(value) is ahead of the store",
          details: [
            .init(field: "revision", message: "the store is at revision \(current)")
          ])
      }
      revision = value
    }
    var timeout = Self.defaultTimeoutSeconds
    if let text = query["timeout"].map(String.init) {
      guard let seconds = WaitResponse.seconds(from: text), seconds <= Self.maxTimeoutSeconds
      else {
        throw AdminError(
          .badRequest, "invalid timeout",
          details: [
            .init(
              field: "timeout",
              message:
                "want a duration such as 30s, 500ms or 2m, at most \(Int(Self.maxTimeoutSeconds))s; got \"\(text)\""
            )
          ])
      }
      timeout = seconds
    }
    let started = ContinuousClock.now
    let result = await server.waitForRevision(revision, timeout: .seconds(timeout))
    let waited = ContinuousClock.now - started
    let body = Self.response(
      result, timeoutSeconds: timeout, waitedSeconds: waited.seconds)
    let data = try Self.encoder.encode(body)
    var buffer = ByteBuffer(bytes: data)
    buffer.writeString("\n")
    return Response(
      status: .init(code: body.httpStatus), headers: [.contentType: "application/json"],
      body: .init(byteBuffer: buffer))
  }

  static let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return encoder
  }()

  /// One entry per proxy id (a gRPC client opens a stream per target): rejected when any of
  /// its streams NACKed the revision, pending when any has not answered.
  static func response(_ result: RevisionWaitResult, timeoutSeconds: Double, waitedSeconds: Double)
    -> WaitResponse
  {
    var byProxy: [String: WaitResponse.Proxy] = [:]
    for stream in result.streams {
      var proxy =
        byProxy[stream.proxyID]
        ?? WaitResponse.Proxy(
          proxy: stream.proxyID, connections: [], state: .synced, pending: [], rejected: [])
      proxy.connections.append(String(stream.connectionID))
      proxy.pending += stream.outcome.pending.map { $0.shortName.uppercased() }
      proxy.rejected += stream.outcome.rejected.map {
        .init(type: $0.type.shortName.uppercased(), revision: $0.revision, message: $0.message)
      }
      proxy.state =
        !proxy.rejected.isEmpty ? .rejected : !proxy.pending.isEmpty ? .pending : .synced
      byProxy[stream.proxyID] = proxy
    }
    let proxies = byProxy.values.sorted { $0.proxy < $1.proxy }
    let rejected = proxies.count { $0.state == .rejected }
    let pending = proxies.count { $0.state == .pending }
    let state: WaitResponse.State
    let error: String?
    let timeout = "\(Self.format(timeoutSeconds))s"
    if !result.isPublished {
      state = .pending
      error =
        "revision \(result.revision) was not pushed within \(timeout) (last push: revision \(result.publishedRevision))"
    } else if rejected > 0 {
      state = .rejected
      error = "\(Self.count(rejected, "proxy", "proxies")) rejected revision \(result.revision)"
    } else if pending > 0 {
      state = .pending
      error =
        "\(Self.count(pending, "proxy", "proxies")) did not acknowledge revision \(result.revision) within \(timeout)"
    } else {
      state = .synced
      error = nil
    }
    return WaitResponse(
      revision: result.revision, publishedRevision: result.publishedRevision, state: state,
      error: error, timeoutSeconds: timeoutSeconds, waitedSeconds: waitedSeconds,
      proxies: proxies)
  }

  static func count(_ n: Int, _ one: String, _ many: String) -> String {
    "\(n) \(n == 1 ? one : many)"
  }

  static func format(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
  }
}
