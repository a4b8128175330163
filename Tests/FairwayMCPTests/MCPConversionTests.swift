import FairwayMCP
import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayStore
import FairwayTranslate
import Foundation
import SwiftProtobuf
import Testing

/// Spec <-> `istio.mcp.v1alpha1.Resource` through swift-protobuf's JSON mapping.
@Suite struct MCPConversionTests {
  /// Every object goes to a Resource and back unchanged in meaning: labels and annotations, the same body bytes when encoded again, and the same Envoy
  /// resources when the whole mesh is translated.
  static func assertRoundTrip(_ objects: [ConfigObject], label: String) throws {
    var back: [ConfigObject] = []
    for object in objects {
      let resource = try MCPResourceCodec.resource(for: object)
      let collection = MCPCollection(kind: object.kind)
      let decoded = try MCPSink.decode(
        [try MCPResourceCodec.packed(resource)], collection: collection)
      #expect(decoded.count == 1, "\(label) \(object.key)")
      guard let copy = decoded.first else { continue }
      #expect(copy.key == object.key)
      // proto3 has no presence for scalars: an explicit default (`location: MESH_EXTERNAL`,
      // `weight: 0`) comes back unset. So the first trip must keep the meaning (the
      // translation below), and a second trip must change nothing at all.
      let twice = try MCPSink.decode(
        [try MCPResourceCodec.packed(MCPResourceCodec.resource(for: copy))], collection: collection)
      #expect(twice.first?.spec == copy.spec, "\(label) \(object.key): not a fixed point")
      #expect(copy.metadata.labels == object.metadata.labels)
      #expect(copy.metadata.annotations == object.metadata.annotations)
      let again = try MCPResourceCodec.resource(for: copy)
      #expect(again.body.value == resource.body.value, "\(label) \(object.key): body bytes differ")
      #expect(again.metadata.version == resource.metadata.version)
      back.append(copy)
    }
    let before = MeshTranslator(snapshot: MeshSnapshot(revision: 1, objects: objects))
    let after = MeshTranslator(snapshot: MeshSnapshot(revision: 1, objects: back))
    let proxy = Proxy(
      id: "sidecar~10.88.0.1~a.default~default.svc.cluster.local", ipAddresses: ["10.88.0.1"])
    for type in XDSResourceType.allCases {
      let lhs = before.resources(for: proxy, type: type, requestedNames: nil).sortedResources
      let rhs = after.resources(for: proxy, type: type, requestedNames: nil).sortedResources
      #expect(lhs == rhs, "\(label): \(type) differs after the round trip")
    }
  }

  static func examples() throws -> [(String, [ConfigObject])] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../Examples").standardized
    guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
    else { return [] }
    var out: [(String, [ConfigObject])] = []
    for case let url as URL in walker where ["yaml", "yml"].contains(url.pathExtension) {
      let parsed = try ConfigParser().parse(try Data(contentsOf: url), format: .yaml)
      out.append((url.lastPathComponent, parsed.objects))
    }
    return out.sorted { $0.0 < $1.0 }
  }

  @Test func examplesRoundTrip() throws {
    let examples = try Self.examples()
    #expect(examples.count >= 4)
    var kinds: Set<ConfigKind> = []
    for (name, objects) in examples {
      try Self.assertRoundTrip(objects, label: name)
      kinds.formUnion(objects.map(\.kind))
    }
    #expect(kinds == [.virtualService, .destinationRule, .serviceEntry, .workloadEntry])
  }

  static func object(_ yaml: String) throws -> ConfigObject {
    let parsed = try ConfigParser().parse(Data(yaml.utf8), format: .yaml)
    return try #require(parsed.objects.first)
  }

  /// Go durations become proto seconds; enums travel by name; maps, wrappers and the Any body.
  @Test func durationsEnumsMapsAndAny() throws {
    let rule = try Self.object(
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews, namespace: shop, labels: {team: a}, annotations: {note: x}}
      spec:
        host: reviews.shop.svc.cluster.local
        trafficPolicy:
          loadBalancer: {simple: LEAST_REQUEST}
          connectionPool:
            tcp: {connectTimeout: 300ms, maxConnections: 7}
            http: {idleTimeout: 1h30m, h2UpgradePolicy: UPGRADE}
          outlierDetection: {interval: 2m, baseEjectionTime: 1.5s, consecutive5xxErrors: 0}
          tls: {mode: ISTIO_MUTUAL, insecureSkipVerify: false}
        subsets:
        - name: v1
          labels: {version: v1, timeout: 1m}
          trafficPolicy:
            loadBalancer:
              consistentHash: {httpCookie: {name: c, ttl: 10s}, ringHash: {minimumRingSize: 1024}}
      """)
    let resource = try MCPResourceCodec.resource(for: rule)
    #expect(resource.metadata.name == "shop/reviews")
    #expect(resource.metadata.labels == ["team": "a"])
    #expect(resource.metadata.annotations == ["note": "x"])
    #expect(
      resource.body.typeURL == "type.googleapis.com/istio.networking.v1alpha3.DestinationRule")
    let spec = try Istio_Networking_V1alpha3_DestinationRule(serializedBytes: resource.body.value)
    #expect(spec.trafficPolicy.loadBalancer.simple == .leastRequest)
    #expect(
      spec.trafficPolicy.connectionPool.tcp.connectTimeout == .init(seconds: 0, nanos: 300_000_000))
    #expect(spec.trafficPolicy.connectionPool.tcp.maxConnections == 7)
    #expect(spec.trafficPolicy.connectionPool.http.idleTimeout.seconds == 5400)
    #expect(spec.trafficPolicy.connectionPool.http.h2UpgradePolicy == .upgrade)
    #expect(spec.trafficPolicy.outlierDetection.interval.seconds == 120)
    #expect(
      spec.trafficPolicy.outlierDetection.baseEjectionTime == .init(seconds: 1, nanos: 500_000_000))
    // A wrapper keeps an explicit zero.
    #expect(spec.trafficPolicy.outlierDetection.hasConsecutive5XxErrors)
    #expect(spec.trafficPolicy.outlierDetection.consecutive5XxErrors.value == 0)
    #expect(spec.trafficPolicy.tls.mode == .istioMutual)
    #expect(spec.trafficPolicy.tls.hasInsecureSkipVerify)
    // A label called `timeout` is user data, not a duration.
    #expect(spec.subsets.first?.labels == ["version": "v1", "timeout": "1m"])
    let hash = spec.subsets.first?.trafficPolicy.loadBalancer.consistentHash
    #expect(hash?.httpCookie.ttl.seconds == 10)
    #expect(hash?.ringHash.minimumRingSize == 1024)
    try Self.assertRoundTrip([rule], label: "rule")
  }

  @Test func virtualServiceFieldsRoundTrip() throws {
    let service = try Self.object(
      """
      apiVersion: networking.istio.io/v1alpha3
      kind: VirtualService
      metadata: {name: reviews, namespace: shop}
      spec:
        hosts: [reviews.shop.svc.cluster.local]
        http:
        - name: canary
          match:
          - uri: {prefix: /api}
            headers: {timeout: {exact: 5s}}
            queryParams: {v: {regex: "[0-9]+"}}
            ignoreUriCase: true
          route:
          - destination: {host: reviews.shop.svc.cluster.local, subset: v2, port: {number: 9080}}
            weight: 20
            headers: {request: {set: {x-a: "1"}, remove: [x-b]}}
          - destination: {host: reviews.shop.svc.cluster.local, subset: v1}
            weight: 80
          timeout: 2500ms
          retries: {attempts: 3, perTryTimeout: 1s, retryOn: 5xx}
          fault: {delay: {fixedDelay: 100ms, percentage: {value: 5}}, abort: {httpStatus: 503, percentage: {value: 1.5}}}
          mirror: {host: shadow.shop.svc.cluster.local}
          mirrorPercentage: {value: 10}
          corsPolicy: {allowOrigins: [{exact: "https://a.example"}], allowMethods: [GET], maxAge: 24h, allowCredentials: true}
        tcp:
        - match: [{port: 3306}]
          route: [{destination: {host: db.shop.svc.cluster.local}}]
      """)
    let resource = try MCPResourceCodec.resource(for: service)
    let spec = try Istio_Networking_V1alpha3_VirtualService(serializedBytes: resource.body.value)
    let route = try #require(spec.http.first)
    #expect(route.timeout == .init(seconds: 2, nanos: 500_000_000))
    #expect(route.match.first?.headers["timeout"]?.exact == "5s")
    #expect(route.route.map(\.weight) == [20, 80])
    #expect(route.corsPolicy.maxAge.seconds == 86_400)
    #expect(route.fault.abort.httpStatus == 503)
    #expect(spec.tcp.first?.match.first?.port == 3306)
    try Self.assertRoundTrip([service], label: "vs")
  }

  /// A body that decodes but is not valid config is refused with the field path.
  @Test func invalidSpecIsNamedWithItsFieldPath() throws {
    var spec = Istio_Networking_V1alpha3_VirtualService()
    spec.hosts = ["reviews"]
    var route = Istio_Networking_V1alpha3_HTTPRoute()
    var destination = Istio_Networking_V1alpha3_HTTPRouteDestination()
    destination.destination.host = "reviews"
    destination.weight = -5
    route.route = [destination]
    spec.http = [route]
    var resource = Istio_Mcp_V1alpha1_Resource()
    resource.metadata.name = "shop/bad"
    resource.body.typeURL = "type.googleapis.com/istio.networking.v1alpha3.VirtualService"
    resource.body.value = try spec.serializedData()
    let collection = MCPCollection(kind: .virtualService)
    #expect {
      try MCPSink.decode([try MCPResourceCodec.packed(resource)], collection: collection)
    } throws: { error in
      "\(error)".contains("VirtualService shop/bad")
        && "\(error)".contains("spec.http[0].route[0].weight")
    }
    resource.metadata.name = "no-namespace"
    #expect {
      try MCPSink.decode([try MCPResourceCodec.packed(resource)], collection: collection)
    } throws: { error in
      "\(error)".contains("resources[0]") && "\(error)".contains("namespace/name")
    }
    // A body of the wrong type for the collection.
    resource.metadata.name = "shop/bad"
    #expect {
      try MCPSink.decode(
        [try MCPResourceCodec.packed(resource)], collection: MCPCollection(kind: .serviceEntry))
    } throws: { error in "\(error)".contains("body.type_url") }
  }

  @Test func collectionTypeURLs() {
    #expect(
      MCPCollection.all.map(\.typeURL) == [
        "networking.istio.io/v1alpha3/ServiceEntry", "networking.istio.io/v1alpha3/WorkloadEntry",
        "networking.istio.io/v1alpha3/DestinationRule",
        "networking.istio.io/v1alpha3/VirtualService",
      ])
    #expect(MCPCollection(typeURL: "type.googleapis.com/envoy.config.cluster.v3.Cluster") == nil)
    #expect(
      MCPCollectionEncoder().kind(ofCollection: "networking.istio.io/v1alpha3/ServiceEntry")
        == .serviceEntry)
  }
}
