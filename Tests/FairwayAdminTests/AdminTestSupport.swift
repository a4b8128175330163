import FairwayAdmin
import FairwayMesh
import FairwayStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging

/// Builds an admin app over a fresh store, bound to an ephemeral port for live tests.
struct AdminHarness {
  let store: InMemoryConfigStore
  let server: AdminServer

  init(
    store: InMemoryConfigStore = InMemoryConfigStore(),
    maxBodyBytes: Int = AdminConfiguration.defaultMaxBodyBytes,
    extensions: [any AdminExtension] = []
  ) {
    self.store = store
    var logger = Logger(label: "fairway.admin.test")
    logger.logLevel = .error
    server = AdminServer(
      store: store,
      configuration: AdminConfiguration(
        bindAddress: "127.0.0.1", port: 0, maxBodyBytes: maxBodyBytes),
      extensions: extensions,
      logger: logger)
  }

  var app: some ApplicationProtocol {
    get throws { try server.makeApplication() }
  }
}

extension TestResponse {
  var text: String { String(buffer: body) }
  var json: JSONValue? { try? JSONValue.parse(json: Data(text.utf8)) }
}

extension TestClientProtocol {
  func post(
    _ uri: String, _ body: String, contentType: String? = "application/yaml", accept: String? = nil
  ) async throws
    -> TestResponse
  {
    var headers: HTTPFields = [:]
    if let contentType { headers[.contentType] = contentType }
    if let accept { headers[.accept] = accept }
    return try await execute(
      uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
  }

  func put(_ uri: String, _ body: String, contentType: String = "application/yaml") async throws
    -> TestResponse
  {
    try await execute(
      uri: uri, method: .put, headers: [.contentType: contentType], body: ByteBuffer(string: body))
  }

  func get(_ uri: String, accept: String? = nil) async throws -> TestResponse {
    var headers: HTTPFields = [:]
    if let accept { headers[.accept] = accept }
    return try await execute(uri: uri, method: .get, headers: headers)
  }

  func configz() async throws -> String {
    try await get("/debug/configz").text
  }
}

enum AdminFixtures {
  static let reviewsVS = """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      http:
      - match:
        - headers:
            end-user: {exact: jason}
        route:
        - destination: {host: reviews, subset: v2}
      - route:
        - destination: {host: reviews, subset: v1}
          weight: 75
        - destination: {host: reviews, subset: v3}
          weight: 25
    """

  static let reviewsDR = """
    apiVersion: networking.istio.io/v1beta1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      subsets:
      - {name: v1, labels: {version: v1}}
      - {name: v2, labels: {version: v2}}
      - {name: v3, labels: {version: v3}}
    """

  static func workload(_ name: String, namespace: String = "default", address: String = "10.0.0.1")
    -> String
  {
    """
    apiVersion: networking.istio.io/v1
    kind: WorkloadEntry
    metadata: {name: \(name), namespace: \(namespace)}
    spec: {address: \(address), locality: us-east1/us-east1-a, weight: 2}
    """
  }
}
