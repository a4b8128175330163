import FairwayMesh
import FairwayStore
import HTTPTypes
import Hummingbird

/// Kubernetes-style REST under `/apis/networking.istio.io/{version}/...`.
extension AdminServer {
  static let apiPrefix = "/apis/\(ConfigKind.group)"
  /// The store revision of a deletion, on its response.
  static let revisionHeader = HTTPField.Name("Fairway-Revision")

  func registerResources(on router: Router<AdminRequestContext>) {
    let prefix = Self.apiPrefix
    router.get("\(prefix)/:version/:plural") { request, context in
      let kind = try Self.kind(context)
      return try await self.list(kind: kind, namespace: nil, request: request)
    }
    router.get("\(prefix)/:version/namespaces/:namespace/:plural") { request, context in
      let kind = try Self.kind(context)
      let namespace = try Self.parameter("namespace", context)
      return try await self.list(kind: kind, namespace: namespace, request: request)
    }
    router.get("\(prefix)/:version/namespaces/:namespace/:plural/:name") { request, context in
      let key = try Self.key(context)
      guard let object = await self.store.get(key) else { throw ConfigStoreError.notFound(key) }
      return AdminResponse.negotiated(object.jsonValue, request: request)
    }
    router.put("\(prefix)/:version/namespaces/:namespace/:plural/:name") { request, context in
      try await self.replace(key: try Self.key(context), request: request)
    }
    router.delete("\(prefix)/:version/namespaces/:namespace/:plural/:name") { request, context in
      let key = try Self.key(context)
      try await self.refuseOwnedDeletion(key)
      let deleted = try await self.store.delete(key)
      self.logger.info("deleted \(deleted.key)")
      var response = AdminResponse.negotiated(deleted.jsonValue, request: request)
      // The body is the object as it was; the revision of the deletion (or a later one) is
      // what `GET /wait?revision=` takes.
      if let name = Self.revisionHeader {
        response.headers[name] = String(await self.store.revision)
      }
      return response
    }
  }

  private func list(kind: ConfigKind, namespace: String?, request: Request) async throws -> Response
  {
    let objects = await store.list(kind: kind, namespace: namespace)
    let revision = await store.revision
    let body: JSONValue = .object([
      "apiVersion": .string(ConfigKind.preferredAPIVersion),
      "kind": .string("\(kind.rawValue)List"),
      "metadata": .object(["resourceVersion": .string(String(revision))]),
      "items": .array(objects.map(\.jsonValue)),
    ])
    return AdminResponse.negotiated(body, request: request)
  }

  /// `PUT`: create or replace one object; the body must name the same kind, namespace
  /// (or none) and name as the URL. A `metadata.resourceVersion` in the body makes it
  /// conditional (409 when stale).
  private func replace(key: ConfigKey, request: Request) async throws -> Response {
    let format = try Self.contentFormat(of: request)
    let body = try await readBody(request)
    let parser = parser
    var documents = try await ParseWorkers.run { try parser.parseDocuments(body, format: format) }
    guard documents.count == 1, case .object(var members) = documents[0] else {
      throw AdminError(
        .badRequest, "PUT needs exactly one object in the body, got \(documents.count) documents")
    }
    var metadata = members["metadata"]?.objectValue ?? [:]
    if let kind = members["kind"]?.stringValue, kind != key.kind.rawValue {
      throw AdminError(
        .badRequest,
        "the kind of the object (\(kind)) does not match the URL (\(key.kind.rawValue))",
        details: [.init(field: "kind", message: "must be \(key.kind.rawValue)")])
    }
    if let name = metadata["name"]?.stringValue, name != key.name {
      throw AdminError(
        .badRequest,
        "the name of the object (\(name)) does not match the name on the URL (\(key.name))",
        details: [.init(field: "metadata.name", message: "must be \(key.name)")])
    }
    if let namespace = metadata["namespace"]?.stringValue, namespace != key.namespace {
      throw AdminError(
        .badRequest,
        "the namespace of the object (\(namespace)) does not match the namespace on the URL (\(key.namespace))",
        details: [.init(field: "metadata.namespace", message: "must be \(key.namespace)")])
    }
    metadata["name"] = .string(key.name)
    metadata["namespace"] = .string(key.namespace)
    members["metadata"] = .object(metadata)
    if members["kind"] == nil { members["kind"] = .string(key.kind.rawValue) }
    documents[0] = .object(members)
    let document = documents
    let parsed = try await ParseWorkers.run { try parser.objects(from: document) }
    try await refuseOwned(parsed.objects)
    let results = try await store.apply(parsed.objects)
    guard let result = results.first else {
      throw AdminError(.internalServerError, "store returned no result")
    }
    if result.action != .unchanged {
      logger.info(
        "\(result.action.rawValue) \(result.key) at resourceVersion \(result.resourceVersion)")
    }
    return AdminResponse.negotiated(
      result.object.jsonValue, request: request, status: result.action == .created ? .created : .ok)
  }

  private static func parameter(_ name: String, _ context: AdminRequestContext) throws -> String {
    guard let value = context.parameters.get(name) else {
      throw AdminError(.badRequest, "missing path parameter \(name)")
    }
    return value
  }

  private static func kind(_ context: AdminRequestContext) throws -> ConfigKind {
    let version = try parameter("version", context)
    guard ConfigKind.acceptedVersions.contains(version) else {
      throw AdminError(.notFound, "unknown API version \(ConfigKind.group)/\(version)")
    }
    let plural = try parameter("plural", context)
    guard let kind = ConfigKind(plural: plural) else {
      let known = ConfigKind.allCases.map(\.plural).joined(separator: ", ")
      throw AdminError(.notFound, "unknown resource type \"\(plural)\" (known: \(known))")
    }
    return kind
  }

  private static func key(_ context: AdminRequestContext) throws -> ConfigKey {
    ConfigKey(
      kind: try kind(context), namespace: try parameter("namespace", context),
      name: try parameter("name", context))
  }
}
