import FairwayAPI
import Foundation
import Testing

/// Each API type encoded from fixed values must give the bytes the server wrote before the
/// types existed (Golden/, captured from the `[String: Any]` reports with real ADS streams),
/// and decoding those bytes must give the values back.
@Suite struct GoldenJSONTests {
  static let time = "2026-12-06T10:06:20Z"
  static let sidecar = "sidecar~10.0.0.9~productpage-v1-123.default~default.svc.cluster.local"
  static let nacking = "sidecar~10.0.0.7~ratings-v1-9.default~default.svc.cluster.local"
  static let gateway = "router~10.0.0.8~gateway-1.istio-system~istio-system.svc.cluster.local"
  static let cds = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
  static let lds = "type.googleapis.com/envoy.config.listener.v3.Listener"
  static let eds = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"
  static let reviews = "outbound|9080||reviews.default.svc.cluster.local"

  static func golden(_ name: String) throws -> Data {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Golden").appendingPathComponent(name)
    return try Data(contentsOf: url)
  }

  /// What the server writes for `value`: the API encoding and a newline.
  static func served(_ value: some Encodable) throws -> String {
    String(decoding: try APICoding.encode(value), as: UTF8.self) + "\n"
  }

  /// Asserts byte equality with the golden file and that decoding it gives `value` back.
  static func expectGolden<Value: Codable & Equatable>(_ value: Value, _ name: String) throws {
    let golden = try golden(name)
    #expect(try served(value) == String(decoding: golden, as: UTF8.self))
    #expect(try APICoding.decode(Value.self, from: golden) == value)
  }

  /// For bodies written by the mesh module's serializer before (other spacing, unescaped
  /// slashes): the same JSON values, keys and types, and the value back from the golden bytes.
  static func expectSameJSON<Value: Codable & Equatable>(_ value: Value, _ name: String) throws {
    let golden = try golden(name)
    let ours = try APICoding.decode(AnyJSON.self, from: APICoding.encode(value))
    #expect(ours == (try APICoding.decode(AnyJSON.self, from: golden)))
    #expect(try APICoding.decode(Value.self, from: golden) == value)
  }

  static let syncz: [SyncStatus] = [
    SyncStatus(
      proxy: sidecar, proxyType: "sidecar", proxyClient: "envoy", clusterID: "Kubernetes",
      connectionID: "1", streamKind: "SotW", clusterSent: "1", clusterAcked: "1",
      listenerSent: "2", listenerAcked: "2", endpointSent: "3",
      xds: [
        cds: .init(
          sent: "1", acked: "1", sentVersion: "1014eaf6dd6ca1c1", ackedVersion: "1014eaf6dd6ca1c1",
          sentTime: time, state: "SYNCED", wildcard: true),
        eds: .init(
          sent: "3", sentVersion: "312ad732c0ee9fbb", sentTime: time, state: "STALE",
          subscribed: [reviews]),
        lds: .init(
          sent: "2", acked: "2", sentVersion: "bebb0d44ce4355f8", ackedVersion: "bebb0d44ce4355f8",
          sentTime: time, state: "SYNCED", wildcard: true),
      ]),
    SyncStatus(
      proxy: nacking, proxyType: "sidecar", proxyClient: "envoy", clusterID: "Kubernetes",
      connectionID: "2", streamKind: "SotW", clusterSent: "1",
      xds: [
        cds: .init(
          sent: "1", sentVersion: "1014eaf6dd6ca1c1", sentTime: time, state: "ERROR", nacks: 1,
          wildcard: true, lastError: "cluster outbound|9080||reviews: unsupported lb_policy",
          lastErrorNonce: "1", lastErrorTime: time)
      ]),
    SyncStatus(
      proxy: gateway, proxyType: "router", proxyClient: "envoy", clusterID: "Kubernetes",
      connectionID: "3", streamKind: "Delta", clusterSent: "1", clusterAcked: "1",
      xds: [
        cds: .init(
          sent: "1", acked: "1", sentVersion: "1014eaf6dd6ca1c1", ackedVersion: "1014eaf6dd6ca1c1",
          sentTime: time, state: "SYNCED", wildcard: true)
      ]),
  ]

  static let adsz: [ADSConnection] = [
    ADSConnection(
      connectionID: "1", proxy: sidecar, peerAddress: "ipv4:127.0.0.1:43716", connectedAt: time,
      streamKind: "SotW", client: "envoy", namespace: "default", ipAddresses: ["10.0.0.9"],
      labels: ["app": "productpage"],
      metadata: .object([
        "LABELS": .object(["app": .string("productpage")]), "NAMESPACE": .string("default"),
      ]),
      watched: [cds: ["*"], eds: [reviews], lds: ["*"]]),
    ADSConnection(
      connectionID: "2", proxy: nacking, peerAddress: "ipv4:127.0.0.1:43716", connectedAt: time,
      streamKind: "SotW", client: "envoy", namespace: "default", ipAddresses: ["10.0.0.7"],
      labels: [:], metadata: .object(["NAMESPACE": .string("default")]), watched: [cds: ["*"]]),
    ADSConnection(
      connectionID: "3", proxy: gateway, peerAddress: "ipv4:127.0.0.1:43716", connectedAt: time,
      streamKind: "Delta", client: "envoy", namespace: "istio-system", ipAddresses: ["10.0.0.8"],
      labels: [:], metadata: .object(["NAMESPACE": .string("istio-system")]),
      watched: [cds: ["*"]]),
  ]

  static func pushStatus() throws -> PushStatus {
    let applied = PushRecord(
      time: try Date(time, strategy: .iso8601),
      triggers: ["DestinationRule": 1, "ServiceEntry": 1, "WorkloadEntry": 2],
      configsUpdated: [
        "DestinationRule default/reviews", "ServiceEntry default/reviews",
        "WorkloadEntry default/reviews-1", "WorkloadEntry default/reviews-2",
      ],
      configsUpdatedCount: 4, types: ["cds", "eds", "lds", "rds", "drds"], proxiesPushed: 0,
      debounceSeconds: 0.020360985, durationSeconds: 0.002853044, revision: 4)
    let startup = PushRecord(
      time: try Date("2026-12-06T10:06:19Z", strategy: .iso8601), triggers: ["startup": 1],
      configsUpdated: [], configsUpdatedCount: 0, types: ["cds", "eds", "lds", "rds", "drds"],
      proxiesPushed: 0, debounceSeconds: 0, durationSeconds: 0.000265515, revision: 0)
    return PushStatus(lastPush: applied, recent: [applied, startup], connectedStreams: 3)
  }

  /// The Envoy part of a golden dump, read as plain JSON (SwiftProtobuf wrote it, not the API).
  static func envoyConfigs(_ dump: AnyJSON?) throws -> [AnyJSON] {
    guard case .array(let configs) = dump?["configs"] else {
      throw ConfigsMissing()
    }
    return configs
  }

  struct ConfigsMissing: Error {}

  @Test func synczIsTodaysBytes() throws {
    try Self.expectGolden(Self.syncz, "syncz.json")
  }

  @Test func adszIsTodaysBytes() throws {
    try Self.expectGolden(Self.adsz, "adsz.json")
  }

  @Test func pushStatusIsTodaysBytes() throws {
    try Self.expectGolden(try Self.pushStatus(), "push_status.json")
  }

  @Test func connectedProxyDumpIsTodaysBytes() throws {
    let golden = try APICoding.decode(AnyJSON.self, from: Self.golden("config_dump_bad.json"))
    let dump = ProxyConfigDump(
      configs: try Self.envoyConfigs(golden), connectionID: "2", streamKind: "SotW")
    try Self.expectGolden(ConfigDumpResponse.one(dump), "config_dump_bad.json")
  }

  @Test func hypotheticalProxyDumpIsTodaysBytes() throws {
    let golden = try APICoding.decode(AnyJSON.self, from: Self.golden("config_dump_hypo.json"))
    let dump = ProxyConfigDump(
      configs: try Self.envoyConfigs(golden),
      proxy: .init(
        id: "sidecar~10.1.0.1~hypothetical.default~default.svc.cluster.local", client: "envoy",
        namespace: "default", ipAddresses: ["10.1.0.1"], labels: ["app": "reviews"]))
    try Self.expectGolden(ConfigDumpResponse.one(dump), "config_dump_hypo.json")
  }

  @Test func severalStreamsDumpIsTodaysBytes() throws {
    let golden = try APICoding.decode(AnyJSON.self, from: Self.golden("config_dump_two.json"))
    guard case .array(let streams) = golden["streams"], streams.count == 2 else {
      Issue.record("golden has no two streams")
      return
    }
    let dumps = [
      ProxyConfigDump(
        configs: try Self.envoyConfigs(streams[0]), connectionID: "1", streamKind: "SotW"),
      ProxyConfigDump(
        configs: try Self.envoyConfigs(streams[1]), connectionID: "4", streamKind: "SotW"),
    ]
    #expect(ConfigDumpResponse(dumps) == .streams(dumps))
    try Self.expectGolden(ConfigDumpResponse(dumps), "config_dump_two.json")
  }

  @Test func errorBodiesAreTodaysJSON() throws {
    try Self.expectSameJSON(
      ErrorBody(
        error: "invalid labels", code: 400,
        details: [.init(field: "labels", message: "want k=v,k=v; got \"bad\"")]),
      "error_labels.json")
    try Self.expectSameJSON(
      ErrorBody(
        error: "no connected proxy with id nope", code: 404,
        details: [
          .init(
            field: "proxyID",
            message:
              "not connected; pass ip/namespace/labels/type to describe a hypothetical proxy")
        ]), "config_dump_missing.json")
    try Self.expectSameJSON(Self.invalidApply, "apply_invalid.json")
  }

  static let invalidApply = ErrorBody(
    error:
      "2 problems in 1 document: VirtualService default/x: spec.hosts: virtual service must have at least one host",
    code: 422,
    details: [
      .init(
        document: "VirtualService default/x", field: "spec.hosts",
        message: "virtual service must have at least one host"),
      .init(
        document: "VirtualService default/x", field: "spec.http[0].route[0].destination.host",
        message: "host is required"),
    ])

  @Test func applyResponseIsTodaysJSON() throws {
    func created(_ kind: String, _ name: String, _ version: String) -> ApplyResponse.Result {
      .init(
        kind: kind, namespace: "default", name: name, action: "created",
        resourceVersion: version, generation: 1)
    }
    try Self.expectSameJSON(
      ApplyResponse(
        revision: 4,
        results: [
          created("ServiceEntry", "reviews", "1"), created("WorkloadEntry", "reviews-1", "2"),
          created("WorkloadEntry", "reviews-2", "3"), created("DestinationRule", "reviews", "4"),
        ], warnings: []), "apply.json")
  }
}
