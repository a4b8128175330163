import FairwayMesh
import FairwayProto
import FairwayRegistry
import FairwayResources
import FairwayStore
import FairwayTranslate
import Foundation
import GRPCCore
import GRPCInProcessTransport
import Logging
import SwiftProtobuf
import Testing

@testable import FairwayXDS

/// The server's stream observer with the real auto-registration controller behind it, over
/// grpc-swift-2's in-process transport: a stream's node registers a WorkloadEntry, health
/// reports (`istio.v1.HealthInformation`) are passed on and never answered, and the stream's
/// end starts the grace.
@Suite struct StreamObserverTests {
  static let mesh = """
    apiVersion: networking.istio.io/v1
    kind: WorkloadGroup
    metadata: {name: ratings, namespace: default}
    spec:
      template: {labels: {app: ratings}}
      probe: {tcpSocket: {port: 9080}}
    """

  static let entry = ConfigKey(kind: .workloadEntry, namespace: "default", name: "ratings-10.0.0.7")

  static func node() -> Envoy_Config_Core_V3_Node {
    var node = Envoy_Config_Core_V3_Node()
    node.id = "sidecar~10.0.0.7~ratings-vm.default~default.svc.cluster.local"
    node.metadata = .init(fields: [
      "NAMESPACE": .init(stringValue: "default"),
      "AUTO_REGISTER_GROUP": .init(stringValue: "ratings"),
    ])
    return node
  }

  static func health(error: String? = nil) -> SotWRequest {
    var request = SotWRequest()
    request.typeURL = HealthInformation.typeURL
    if let error {
      request.errorDetail.code = 2
      request.errorDetail.message = error
    }
    return request
  }

  @Test func healthReportsReachRegistrationAndAreNeverAnswered() async throws {
    let store = InMemoryConfigStore()
    _ = try await store.apply(try ConfigParser().parse(Data(Self.mesh.utf8)).objects)
    let controller = AutoRegistrationController(
      store: store, configuration: .init(instanceID: "test", grace: 0.3),
      logger: Logger(label: "test"))
    let service = XDSService(
      store: store, engine: TranslationEngine(), config: ADSHarness.config(),
      observer: controller, logger: Logger(label: "test"))
    let transport = InProcessTransport()
    let server = GRPCServer(transport: transport.server, services: service.services)
    func serving() -> Bool? { store.get(Self.entry).map { WorkloadHealth.isServing($0.metadata) } }

    try await withThrowingDiscardingTaskGroup { group in
      group.addTask { try await service.serve(on: server) }
      group.addTask { try await controller.run() }
      // The startup build, as the harness waits for it: the stream is answered from it.
      try await eventually(timeout: .seconds(60)) { service.coordinator.recentPushes.count == 1 }
      try await withGRPCClient(transport: transport.client) { client in
        try await client.withSotWStream { stream in
          var first = Fixtures.sotwRequest(.cluster)
          first.node = Self.node()
          stream.send(first)
          #expect(
            try await stream.next(timeout: .seconds(60)).typeURL == XDSResourceType.cluster.typeURL)
          try await eventually(timeout: .seconds(60)) { serving() == false }

          stream.send(Self.health())
          try await eventually(timeout: .seconds(60)) { serving() == true }
          stream.send(Self.health(error: "connection refused"))
          try await eventually(timeout: .seconds(60)) { serving() == false }
          #expect(try await stream.unexpected(within: .milliseconds(300)).isEmpty)
          #expect(service.metrics.snapshot.unknownTypeRequests == 0)
        }
        // The stream ended: the entry goes after the grace.
        try await eventually(timeout: .seconds(60)) { store.get(Self.entry) == nil }
      }
      server.beginGracefulShutdown()
      group.cancelAll()
    }
  }
}
