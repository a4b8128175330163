import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A small HTTP client for the admin API, used by the `fairway` CLI.
public struct AdminClient: Sendable {
  /// A raw response.
  public struct Response: Sendable {
    public var status: Int
    public var contentType: String?
    public var body: Data

    /// The body as UTF-8 text (lossy).
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as the API type `type`.
    ///
    /// - Throws: `DecodingError` when the body is not that type's JSON.
    public func decoded<Value: Decodable>(_ type: Value.Type) throws -> Value {
      try APICoding.decode(type, from: body)
    }
  }

  /// The admin port `serve` listens on unless told otherwise (istiod's monitoring port).
  public static let defaultPort = 15014

  public let baseURL: URL
  /// Sent as `Authorization: Bearer` when the server requires a token.
  public var token: String?

  public init(baseURL: URL, token: String? = nil) {
    self.token = token
    self.baseURL = baseURL
  }

  /// Sends one request and returns the response, whatever its status.
  ///
  /// - Throws: `AdminClientError.transport` when the server cannot be reached.
  public func send(
    method: String, path: String, body: Data? = nil, contentType: String? = nil,
    accept: String? = nil
  ) async throws -> Response {
    guard let url = URL(string: path, relativeTo: baseURL) else {
      throw AdminClientError.transport("invalid URL \(baseURL)\(path)")
    }
    var request = URLRequest(url: url)
    request.httpMethod = method
    request.httpBody = body
    request.timeoutInterval = 60
    if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
    if let accept { request.setValue(accept, forHTTPHeaderField: "Accept") }
    if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    let data: Data
    let response: URLResponse
    do {
      (data, response) = try await URLSession.shared.data(for: request)
    } catch {
      throw AdminClientError.transport(
        "cannot reach \(baseURL.absoluteString): \(error.localizedDescription)")
    }
    guard let http = response as? HTTPURLResponse else {
      throw AdminClientError.transport("unexpected response from \(url.absoluteString)")
    }
    return Response(
      status: http.statusCode, contentType: http.value(forHTTPHeaderField: "Content-Type"),
      body: data)
  }

  /// Like `send`, but turns non-2xx answers into `AdminClientError.api`.
  public func checked(
    method: String, path: String, body: Data? = nil, contentType: String? = nil,
    accept: String? = nil
  ) async throws -> Response {
    let response = try await send(
      method: method, path: path, body: body, contentType: contentType, accept: accept)
    guard (200..<300).contains(response.status) else {
      throw AdminClientError.api(status: response.status, body: response.body)
    }
    return response
  }

  /// `GET path` as the API type `type`.
  ///
  /// - Throws: `AdminClientError` for transport and API errors, `.malformed` when the body is
  ///   not that type's JSON.
  public func get<Value: Decodable>(_ type: Value.Type, path: String) async throws -> Value {
    let response = try await checked(method: "GET", path: path, accept: "application/json")
    do {
      return try response.decoded(type)
    } catch {
      throw AdminClientError.malformed(
        path: path, server: baseURL.absoluteString, reason: "\(error)")
    }
  }

  /// `POST /apply`. `contentType` defaults to sniffing by the server. With `analyze`, the
  /// response carries the analyzers' messages about the applied objects.
  public func apply(
    _ body: Data, contentType: String? = "application/yaml", analyze: Bool = false
  ) async throws -> ApplyResponse {
    let response = try await checked(
      method: "POST", path: analyze ? "/apply?analyze=true" : "/apply", body: body,
      contentType: contentType,
      accept: "application/json")
    do {
      return try response.decoded(ApplyResponse.self)
    } catch {
      throw AdminClientError.malformed(
        path: "/apply", server: baseURL.absoluteString, reason: "\(error)")
    }
  }

  /// `GET` one object, or a list when `name` is nil (`namespace` nil lists all namespaces).
  public func get(_ resource: ResourceType, namespace: String?, name: String?, yaml: Bool)
    async throws -> Response
  {
    try await checked(
      method: "GET", path: Self.path(resource, namespace: namespace, name: name),
      accept: yaml ? "application/yaml" : "application/json")
  }

  /// `DELETE` one object; the answer is the deleted object.
  public func delete(_ resource: ResourceType, namespace: String, name: String) async throws
    -> Response
  {
    try await checked(
      method: "DELETE", path: Self.path(resource, namespace: namespace, name: name),
      accept: "application/json")
  }

  /// `/debug/syncz`: every stream's sync state.
  public func syncz() async throws -> [SyncStatus] {
    try await get([SyncStatus].self, path: "/debug/syncz")
  }

  /// `GET /wait`: where the connected proxies stand against `revision` (nil: the store's
  /// current one), after waiting up to `timeoutSeconds` for them. The answer comes with 200
  /// (every proxy has it), 409 (a proxy rejected it) and 504 (not pushed or not acknowledged
  /// in time) alike; any other status throws.
  public func wait(revision: Int64?, timeoutSeconds: Double) async throws -> WaitResponse {
    var path = "/wait?timeout=\(String(format: "%.3f", max(0, timeoutSeconds)))s"
    if let revision { path += "&revision=\(revision)" }
    let response = try await send(method: "GET", path: path, accept: "application/json")
    guard [200, 409, 504].contains(response.status) else {
      throw AdminClientError.api(status: response.status, body: response.body)
    }
    do {
      return try response.decoded(WaitResponse.self)
    } catch {
      throw AdminClientError.malformed(
        path: path, server: baseURL.absoluteString, reason: "\(error)")
    }
  }

  /// REST path of a collection or object.
  public static func path(_ resource: ResourceType, namespace: String?, name: String?) -> String {
    var path = "/apis/\(resource.apiVersion)"
    if let namespace { path += "/namespaces/\(escape(namespace))" }
    path += "/\(resource.plural)"
    if let name { path += "/\(escape(name))" }
    return path
  }

  private static func escape(_ segment: String) -> String {
    segment.addingPercentEncoding(
      withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/")))
      ?? segment
  }
}
