import FairwayMesh
import FairwayProto
import FairwayRegistry
import FairwayResources
import FairwayStore
import Foundation
import Logging
import SwiftProtobuf
import Testing

/// The controller against a real in-memory store: what it writes for connects, disconnects,
/// health reports and restarts.
@Suite struct AutoRegistrationControllerTests {
  static let group = """
    apiVersion: networking.istio.io/v1
    kind: WorkloadGroup
    metadata: {name: ratings, namespace: vm}
    spec:
      metadata:
        labels: {app: ratings, tier: group}
        annotations: {team: data}
      template:
        labels: {app: ratings-template, class: vm}
        ports: {http: 9080}
        serviceAccount: ratings
        network: template-net
        locality: template/zone
        weight: 3
    """

  static func node(
    ip: String = "10.0.0.7", group: String? = "ratings", network: String? = nil,
    labels: [String: String] = ["version": "v2", "tier": "node", "istio-locality": "r.z"],
    locality: (String, String, String)? = ("us-east", "a", "")
  ) -> Envoy_Config_Core_V3_Node {
    var node = Envoy_Config_Core_V3_Node()
    node.id = "sidecar~\(ip)~ratings-vm.vm~vm.svc.cluster.local"
    var fields: [String: Google_Protobuf_Value] = [
      "NAMESPACE": .init(stringValue: "vm"),
      "LABELS": .init(structValue: .init(fields: labels.mapValues { .init(stringValue: $0) })),
    ]
    if let group { fields["AUTO_REGISTER_GROUP"] = .init(stringValue: group) }
    if let network { fields["NETWORK"] = .init(stringValue: network) }
    node.metadata = .init(fields: fields)
    if let locality {
      node.locality = .with {
        $0.region = locality.0
        $0.zone = locality.1
        $0.subZone = locality.2
      }
    }
    return node
  }

  static func store() async throws -> any ConfigStore {
    let store = InMemoryConfigStore()
    _ = try await store.apply(try ConfigParser().parse(Data(group.utf8), format: .yaml).objects)
    return store
  }

  /// Runs a controller on `store` around `body`.
  static func withController(
    _ store: any ConfigStore, grace: TimeInterval = 0.5, instance: String = "fairway-a",
    _ body: (AutoRegistrationController) async throws -> Void
  ) async throws {
    let controller = AutoRegistrationController(
      store: store, configuration: .init(instanceID: instance, grace: grace),
      logger: Logger(label: "test"))
    try await withThrowingDiscardingTaskGroup { group in
      group.addTask { try await controller.run() }
      try await body(controller)
      group.cancelAll()
    }
  }

  static let entryKey = ConfigKey(kind: .workloadEntry, namespace: "vm", name: "ratings-10.0.0.7")

  static func connect(
    _ controller: AutoRegistrationController, stream: UInt64,
    node: Envoy_Config_Core_V3_Node = node()
  ) {
    controller.proxyConnected(stream: stream, proxy: Proxy(node: node), node: node, at: Date())
  }

  static func disconnect(
    _ controller: AutoRegistrationController, stream: UInt64,
    node: Envoy_Config_Core_V3_Node = node()
  ) {
    controller.proxyDisconnected(stream: stream, proxy: Proxy(node: node), at: Date())
  }

  @Test func requestNamesTheEntryAsIstiod() throws {
    let plain = try #require(
      RegistrationRequest(proxy: Proxy(node: Self.node()), node: Self.node()))
    #expect(plain.entry == Self.entryKey)
    #expect(plain.locality == "us-east/a")
    #expect(plain.labels == ["version": "v2", "tier": "node"])
    let v6 = Self.node(ip: "fd00::7", network: "net1")
    #expect(
      RegistrationRequest(proxy: Proxy(node: v6), node: v6)?.entry.name == "ratings-fd00--7-net1")
    let none = Self.node(group: nil)
    #expect(RegistrationRequest(proxy: Proxy(node: none), node: none) == nil)
  }

  @Test func connectCreatesTheEntryFromTheGroup() async throws {
    let store = try await Self.store()
    try await Self.withController(store) { controller in
      Self.connect(controller, stream: 1)
      let entry = try await eventually { await store.get(Self.entryKey) }
      guard case .workloadEntry(let spec) = entry.spec else {
        Issue.record("not a WorkloadEntry")
        return
      }
      #expect(spec.address == "10.0.0.7")
      // template -> group metadata -> node
      #expect(
        spec.labels == ["app": "ratings", "class": "vm", "tier": "node", "version": "v2"])
      #expect(entry.metadata.labels == spec.labels ?? [:])
      #expect(spec.locality == "us-east/a")
      #expect(spec.network == "template-net")
      #expect(spec.ports == ["http": 9080])
      #expect(spec.weight == 3)
      #expect(spec.serviceAccount == "ratings")
      let annotations = entry.metadata.annotations
      #expect(annotations["istio.io/autoRegistrationGroup"] == "ratings")
      #expect(annotations["istio.io/workloadController"] == "fairway-a")
      #expect(annotations["team"] == "data")
      #expect(annotations["istio.io/connectedAt"] != nil)
      #expect(annotations["istio.io/disconnectedAt"] == nil)
      #expect(annotations["proxy.istio.io/health-checks-enabled"] == nil)
    }
  }

  @Test func lastDisconnectDeletesAfterTheGraceAndReconnectKeeps() async throws {
    let store = try await Self.store()
    try await Self.withController(store, grace: 1.5) { controller in
      Self.connect(controller, stream: 1)
      Self.connect(controller, stream: 2)
      _ = try await eventually { await store.get(Self.entryKey) }
      Self.disconnect(controller, stream: 1)
      try await Task.sleep(for: .milliseconds(1800))
      #expect(await store.get(Self.entryKey) != nil, "a second stream still holds it")

      Self.disconnect(controller, stream: 2)
      let marked = try await eventually {
        await store.get(Self.entryKey).flatMap {
          $0.metadata.annotations["istio.io/disconnectedAt"] != nil ? $0 : nil
        }
      }
      #expect(marked.metadata.annotations["istio.io/connectedAt"] == nil)
      // Back within the grace: kept, connected again.
      Self.connect(controller, stream: 3)
      let back = try await eventually {
        await store.get(Self.entryKey).flatMap {
          $0.metadata.annotations["istio.io/connectedAt"] != nil ? $0 : nil
        }
      }
      #expect(back.metadata.annotations["istio.io/disconnectedAt"] == nil)
      try await Task.sleep(for: .milliseconds(2000))
      #expect(await store.get(Self.entryKey) != nil)

      let gone = Date()
      Self.disconnect(controller, stream: 3)
      _ = try await eventually { await store.get(Self.entryKey) == nil ? true : nil }
      #expect(Date().timeIntervalSince(gone) >= 1.5)
    }
  }

  @Test func healthReportsMarkHealthCheckedEntries() async throws {
    let store = try await Self.store()
    _ = try await store.apply(
      try ConfigParser().parse(
        Data(
          (Self.group + "\n  probe: {httpGet: {port: 9080, path: /ready}, periodSeconds: 5}")
            .utf8), format: .yaml
      ).objects)
    try await Self.withController(store) { controller in
      let node = Self.node()
      Self.connect(controller, stream: 1)
      let created = try await eventually { await store.get(Self.entryKey) }
      #expect(created.metadata.annotations["proxy.istio.io/health-checks-enabled"] == "true")
      #expect(!WorkloadHealth.isServing(created.metadata), "unhealthy until the first report")

      controller.proxyReportedHealth(
        stream: 1, proxy: Proxy(node: node), healthy: true, message: nil, at: Date())
      _ = try await eventually {
        await store.get(Self.entryKey).flatMap { WorkloadHealth.isServing($0.metadata) ? 1 : nil }
      }
      controller.proxyReportedHealth(
        stream: 1, proxy: Proxy(node: node), healthy: false, message: "HTTP 503", at: Date())
      let sick = try await eventually {
        await store.get(Self.entryKey).flatMap { WorkloadHealth.isServing($0.metadata) ? nil : $0 }
      }
      #expect(sick.metadata.annotations["fairway.io/health-message"] == "HTTP 503")
    }
  }

  /// A restart: the entry the old instance left connected is adopted by the new one (same
  /// instance id), given the grace, and deleted when its proxy does not come back; another
  /// instance's connected entry is left alone.
  @Test func restartCleansUpOwnLeftoversOnly() async throws {
    let store = try await Self.store()
    let otherNode = Self.node(ip: "10.0.0.8")
    let otherKey = ConfigKey(kind: .workloadEntry, namespace: "vm", name: "ratings-10.0.0.8")
    try await Self.withController(store, grace: 30, instance: "fairway-a") { controller in
      Self.connect(controller, stream: 1)
      _ = try await eventually { await store.get(Self.entryKey) }
    }
    try await Self.withController(store, grace: 30, instance: "fairway-b") { controller in
      Self.connect(controller, stream: 1, node: otherNode)
      _ = try await eventually { await store.get(otherKey) }
    }
    // Both controllers stopped without seeing a disconnect: both entries look connected.
    try await Self.withController(store, grace: 0.5, instance: "fairway-a") { _ in
      _ = try await eventually { await store.get(Self.entryKey) == nil ? true : nil }
      try await Task.sleep(for: .milliseconds(700))
      #expect(await store.get(otherKey) != nil, "fairway-b still holds its proxy")
    }
  }
}

extension AutoRegistrationControllerTests {
  /// Two replicas sharing one store (as on etcd): only the one holding the proxy's stream acts
  /// for it. The proxy moves from A to B; A's late disconnect and B's sweeps leave B's entry
  /// alone, and only when B loses the proxy does the entry go.
  @Test func replicasActOnlyForTheStreamsTheyHold() async throws {
    let store = try await Self.store()
    func annotations() async -> [String: String] {
      await store.get(Self.entryKey)?.metadata.annotations ?? [:]
    }
    try await Self.withController(store, grace: 0.5, instance: "replica-a") { a in
      try await Self.withController(store, grace: 0.5, instance: "replica-b") { b in
        Self.connect(a, stream: 1)
        _ = try await eventually {
          await annotations()["istio.io/workloadController"] == "replica-a" ? true : nil
        }
        // The proxy reconnects to B before A notices its stream is gone.
        Self.connect(b, stream: 1)
        _ = try await eventually {
          await annotations()["istio.io/workloadController"] == "replica-b" ? true : nil
        }
        Self.disconnect(a, stream: 1)
        try await Task.sleep(for: .milliseconds(1500))
        let held = await annotations()
        #expect(held["istio.io/workloadController"] == "replica-b")
        #expect(held["istio.io/connectedAt"] != nil)
        #expect(held["istio.io/disconnectedAt"] == nil)

        Self.disconnect(b, stream: 1)
        _ = try await eventually { await store.get(Self.entryKey) == nil ? true : nil }
      }
    }
  }
}

/// Polls `value` until it is non-nil (at most 60 s: the whole suite in parallel on two busy
/// cores has starved the controller's task for tens of seconds).
func eventually<T>(
  timeout: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation,
  _ value: () async -> T?
) async throws -> T {
  let deadline = ContinuousClock.now + timeout
  while true {
    if let result = await value() { return result }
    guard ContinuousClock.now < deadline else {
      Issue.record("condition not met within \(timeout)", sourceLocation: sourceLocation)
      throw CancellationError()
    }
    try await Task.sleep(for: .milliseconds(10))
  }
}
