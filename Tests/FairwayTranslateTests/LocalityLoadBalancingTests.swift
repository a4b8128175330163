import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayTranslate
import Foundation
import SwiftProtobuf
import Testing

/// Locality load balancing from DestinationRule `localityLbSetting`, through the translator:
/// priorities and weights per proxy locality as istiod assigns them.
@Suite struct LocalityLoadBalancingTests {
  typealias Assignment = Envoy_Config_Endpoint_V3_ClusterLoadAssignment

  static let cluster = "outbound|80||api.geo.svc.cluster.local"

  /// Endpoints in r1/z1 (two subzones), r1/z2, r2/z3 and r3/z4.
  static func mesh(trafficPolicy: String) -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: api, namespace: geo}
    spec:
      hosts: [api.geo.svc.cluster.local]
      resolution: STATIC
      ports: [{number: 80, name: http, protocol: HTTP}]
      endpoints:
      - {address: 10.5.0.1, locality: r1/z1/s1, labels: {tier: gold}}
      - {address: 10.5.0.2, locality: r1/z1/s2, labels: {tier: gold}}
      - {address: 10.5.0.3, locality: r1/z2, weight: 3, labels: {tier: silver}}
      - {address: 10.5.0.4, locality: r2/z3, labels: {tier: gold}}
      - {address: 10.5.0.5, locality: r3/z4, labels: {tier: silver}}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: api, namespace: geo}
    spec:
      host: api.geo.svc.cluster.local
      trafficPolicy:
    \(trafficPolicy)
    """
  }

  static let outlier =
    "      outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 30s}"

  static func proxy(_ locality: String, labels: [String: String] = [:], ip: String = "10.9.0.1")
    -> Proxy
  {
    Proxy(
      id: "sidecar~\(ip)~client.geo~geo.svc.cluster.local", ipAddresses: [ip], namespace: "geo",
      labels: labels, locality: locality)
  }

  func assignment(_ translator: MeshTranslator, proxy: Proxy) throws -> Assignment {
    let set = translator.resources(for: proxy, type: .endpoint, requestedNames: nil)
    return try Meshes.decode(Assignment.self, set[Self.cluster])
  }

  /// `region/zone/subzone` -> priority (a locality split by failoverPriority shows each part).
  func priorities(_ assignment: Assignment) -> [String: [UInt32]] {
    var out: [String: [UInt32]] = [:]
    for group in assignment.endpoints {
      let place = [group.locality.region, group.locality.zone, group.locality.subZone]
        .filter { !$0.isEmpty }.joined(separator: "/")
      out[place, default: []].append(group.priority)
    }
    return out
  }

  struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let setting: String
    let proxyLocality: String
    var proxyLabels: [String: String] = [:]
    let expected: [String: [UInt32]]
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "default failover: subzone, zone, region, elsewhere",
      setting: "      loadBalancer: {localityLbSetting: {enabled: true}}\n\(outlier)",
      proxyLocality: "r1/z1/s1",
      expected: [
        "r1/z1/s1": [0], "r1/z1/s2": [1], "r1/z2": [2], "r2/z3": [3], "r3/z4": [3],
      ]),
    Case(
      name: "failover region goes before other regions",
      setting:
        "      loadBalancer: {localityLbSetting: {enabled: true, failover: [{from: r1, to: r3}]}}\n\(outlier)",
      proxyLocality: "r1/z1/s1",
      expected: [
        "r1/z1/s1": [0], "r1/z1/s2": [1], "r1/z2": [2], "r3/z4": [3], "r2/z3": [4],
      ]),
    Case(
      name: "priorities without gaps for a proxy in a zone of its own",
      setting: "      loadBalancer: {localityLbSetting: {enabled: true}}\n\(outlier)",
      proxyLocality: "r2/z9",
      expected: [
        "r2/z3": [0], "r1/z1/s1": [1], "r1/z1/s2": [1], "r1/z2": [1], "r3/z4": [1],
      ]),
    Case(
      name: "no outlier detection: no failover priorities (as Istio)",
      setting: "      loadBalancer: {localityLbSetting: {enabled: true}}",
      proxyLocality: "r1/z1/s1",
      expected: [
        "r1/z1/s1": [0], "r1/z1/s2": [0], "r1/z2": [0], "r2/z3": [0], "r3/z4": [0],
      ]),
    Case(
      name: "enabled false turns it off",
      setting: "      loadBalancer: {localityLbSetting: {enabled: false}}\n\(outlier)",
      proxyLocality: "r1/z1/s1",
      expected: [
        "r1/z1/s1": [0], "r1/z1/s2": [0], "r1/z2": [0], "r2/z3": [0], "r3/z4": [0],
      ]),
    Case(
      name: "failoverPriority splits localities by matching labels",
      setting:
        "      loadBalancer: {localityLbSetting: {enabled: true, failoverPriority: [tier]}}\n\(outlier)",
      proxyLocality: "r1/z1/s1", proxyLabels: ["tier": "gold"],
      expected: [
        "r1/z1/s1": [0], "r1/z1/s2": [0], "r2/z3": [0], "r1/z2": [1], "r3/z4": [1],
      ]),
    Case(
      name: "failoverPriority on topology labels",
      setting:
        "      loadBalancer: {localityLbSetting: {enabled: true, failoverPriority: [topology.kubernetes.io/region, topology.kubernetes.io/zone]}}\n\(outlier)",
      proxyLocality: "r1/z2",
      expected: [
        "r1/z2": [0], "r1/z1/s1": [1], "r1/z1/s2": [1], "r2/z3": [2], "r3/z4": [2],
      ]),
  ]

  @Test(arguments: cases)
  func priorities(_ sample: Case) throws {
    let translator = try Meshes.translator(Self.mesh(trafficPolicy: sample.setting))
    let assignment = try assignment(
      translator, proxy: Self.proxy(sample.proxyLocality, labels: sample.proxyLabels))
    #expect(priorities(assignment) == sample.expected)
    // Every endpoint is still there, once.
    #expect(assignment.endpoints.flatMap(\.lbEndpoints).count == 5)
  }

  @Test func distributeWeightsFromTheProxyLocality() throws {
    let translator = try Meshes.translator(
      Self.mesh(
        trafficPolicy: """
                loadBalancer:
                  localityLbSetting:
                    enabled: true
                    distribute:
                    - from: r1/z1/*
                      to: {"r1/z1/*": 70, "r1/z2": 30}
                    - from: r2/*
                      to: {"r2/z3": 100}
          """))
    let fromZ1 = try assignment(translator, proxy: Self.proxy("r1/z1/s1"))
    var weights: [String: UInt32] = [:]
    for group in fromZ1.endpoints {
      weights["\(group.locality.region)/\(group.locality.zone)/\(group.locality.subZone)"] =
        group.loadBalancingWeight.value
    }
    // r1/z1/* takes two subzones of weight 1 each: 70 split 35/35; other regions get nothing.
    #expect(weights == ["r1/z1/s1": 35, "r1/z1/s2": 35, "r1/z2/": 30])
    #expect(fromZ1.endpoints.allSatisfy { $0.priority == 0 })
    let fromR2 = try assignment(translator, proxy: Self.proxy("r2/z3", ip: "10.9.0.2"))
    #expect(fromR2.endpoints.map(\.locality.zone) == ["z3"])
    // A proxy no `from` matches gets the plain assignment.
    let elsewhere = try assignment(translator, proxy: Self.proxy("r9/z9", ip: "10.9.0.3"))
    #expect(elsewhere.endpoints.count == 5)
    #expect(elsewhere.endpoints.map(\.loadBalancingWeight.value).sorted() == [1, 1, 1, 1, 3])
  }

  /// Without any rule balancing by locality, views of different localities share one EDS set
  /// (the same storage); with one, each locality gets its own.
  @Test func endpointSetsKeyedByLocalityOnlyWhenARuleNeedsIt() throws {
    let plain = try Meshes.translator(
      Self.mesh(trafficPolicy: "      loadBalancer: {simple: ROUND_ROBIN}"))
    let a = plain.resources(for: Self.proxy("r1/z1/s1"), type: .endpoint, requestedNames: nil)
    let b = plain.resources(
      for: Self.proxy("r2/z3", ip: "10.9.0.2"), type: .endpoint, requestedNames: nil)
    #expect(a == b)
    #expect(Self.sameStorage(a[Self.cluster], b[Self.cluster]))

    let local = try Meshes.translator(
      Self.mesh(
        trafficPolicy: "      loadBalancer: {localityLbSetting: {enabled: true}}\n\(Self.outlier)"))
    let c = local.resources(for: Self.proxy("r1/z1/s1"), type: .endpoint, requestedNames: nil)
    let d = local.resources(
      for: Self.proxy("r2/z3", ip: "10.9.0.2"), type: .endpoint, requestedNames: nil)
    #expect(c != d)
    // Same locality, different pod: shared again.
    let e = local.resources(
      for: Self.proxy("r1/z1/s1", ip: "10.9.0.7"), type: .endpoint, requestedNames: nil)
    #expect(Self.sameStorage(c[Self.cluster], e[Self.cluster]))
  }

  static func sameStorage(_ lhs: EncodedResource?, _ rhs: EncodedResource?) -> Bool {
    let left = lhs?.anyBytes.withUnsafeBufferPointer { $0.baseAddress }
    let right = rhs?.anyBytes.withUnsafeBufferPointer { $0.baseAddress }
    return left != nil && left == right
  }

  /// The node's locality reaches the proxy (and falls back to topology labels).
  @Test func proxyLocalityFromNode() {
    var node = Envoy_Config_Core_V3_Node()
    node.id = "sidecar~10.0.0.1~a.geo~geo.svc.cluster.local"
    node.locality.region = "r1"
    node.locality.zone = "z1"
    #expect(Proxy(node: node).locality == "r1/z1")
    var labelled = Envoy_Config_Core_V3_Node()
    labelled.id = node.id
    var labels = Google_Protobuf_Struct()
    labels.fields["topology.kubernetes.io/region"] = Google_Protobuf_Value(stringValue: "r2")
    labels.fields["topology.kubernetes.io/zone"] = Google_Protobuf_Value(stringValue: "z3")
    labelled.metadata.fields["LABELS"] = Google_Protobuf_Value(structValue: labels)
    #expect(Proxy(node: labelled).locality == "r2/z3")
  }

  /// A DestinationRule patch (no full rebuild) that turns locality balancing on and off again:
  /// the located proxy's assignment follows, and the shared sets are keyed accordingly.
  @Test func destinationRulePatchTurnsLocalityOnAndOff() throws {
    let plainRule = "      loadBalancer: {simple: ROUND_ROBIN}"
    let localRule = "      loadBalancer: {localityLbSetting: {enabled: true}}\n\(Self.outlier)"
    let before = try Meshes.translator(Self.mesh(trafficPolicy: plainRule))
    let proxy = Self.proxy("r1/z1/s1")
    #expect(try assignment(before, proxy: proxy).endpoints.allSatisfy { $0.priority == 0 })

    func patched(_ previous: MeshTranslator, _ rule: String, revision: Int64) throws
      -> MeshTranslator
    {
      let objects = try ConfigParser().parse(Data(Self.mesh(trafficPolicy: rule).utf8)).objects
      let object = try #require(objects.first { $0.key.kind == .destinationRule })
      return try Meshes.translation(
        updating: previous, with: .objects([object.key: object], revision: revision))
    }
    let local = try patched(before, localRule, revision: 2)
    #expect(try priorities(assignment(local, proxy: proxy))["r2/z3"] == [3])
    #expect(local.endpointClustersChanged(since: before)?.contains(Self.cluster) == true)
    let off = try patched(local, plainRule, revision: 3)
    #expect(try assignment(off, proxy: proxy).endpoints.allSatisfy { $0.priority == 0 })
    #expect(
      off.resources(for: proxy, type: .endpoint, requestedNames: nil)
        == before.resources(for: proxy, type: .endpoint, requestedNames: nil))
  }
}
