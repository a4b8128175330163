import FairwayMesh
import FairwayResources
import FairwayStore
import FairwayTranslate
import Foundation
import Testing

/// Proves every row of `PushTable` both ways: each type it names really changes for some change
/// of that kind, and each type it skips never changes for any of the sample changes.
@Suite struct PushTableTests {
  static let base = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: reviews, namespace: default}
    spec:
      hosts: [reviews.default.svc.cluster.local]
      location: MESH_INTERNAL
      resolution: STATIC
      ports: [{number: 9080, name: http, protocol: HTTP}]
      workloadSelector: {labels: {app: reviews}}
    ---
    apiVersion: networking.istio.io/v1
    kind: WorkloadEntry
    metadata: {name: reviews-1, namespace: default}
    spec: {address: 10.1.0.1, labels: {app: reviews, version: v1}}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: reviews, namespace: default}
    spec:
      host: reviews.default.svc.cluster.local
      subsets: [{name: v1, labels: {version: v1}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: httpbin, namespace: default}
    spec:
      hosts: [httpbin.mesh.local]
      resolution: DNS
      ports: [{number: 8000, name: http, protocol: HTTP}]
      workloadSelector: {labels: {app: httpbin}}
    ---
    apiVersion: networking.istio.io/v1
    kind: WorkloadEntry
    metadata: {name: httpbin-1, namespace: default}
    spec: {address: httpbin-1.mesh.local, labels: {app: httpbin}}
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: demo, namespace: default}
    spec:
      hosts: [mosn.io.dubbo.DemoService]
      resolution: STATIC
      ports: [{number: 20880, name: tcp-dubbo, protocol: TCP}]
      endpoints: [{address: 10.3.0.1, labels: {color: blue}}]
    """

  /// Sample changes per kind: (description, YAML applied on top of the base, expected types).
  static let samples: [(ConfigKind, String, String, Set<XDSResourceType>)] = [
    (
      .virtualService, "weighted route with fault",
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: reviews, namespace: default}
      spec:
        hosts: [reviews.default.svc.cluster.local]
        http:
        - fault: {delay: {fixedDelay: 1s, percentage: {value: 10}}}
          route: [{destination: {host: reviews.default.svc.cluster.local, subset: v1}}]
      """, [.listener, .route, .virtualHost]
    ),
    (
      .virtualService, "method route on a Dubbo service",
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: demo, namespace: default}
      spec:
        hosts: [mosn.io.dubbo.DemoService]
        http:
        - match: [{method: {exact: sayHello}, headers: {x-user-tag: {exact: canary}}}]
          route: [{destination: {host: mosn.io.dubbo.DemoService, subset: blue}}]
      """, [.route, .dubboRoute]
    ),
    (
      .destinationRule, "new subset and consistent hash",
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews, namespace: default}
      spec:
        host: reviews.default.svc.cluster.local
        trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}
        subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
      """, [.cluster, .endpoint, .route, .virtualHost]
    ),
    (
      .serviceEntry, "new service on a new port",
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: ratings, namespace: default}
      spec:
        hosts: [ratings.default.svc.cluster.local]
        resolution: STATIC
        ports: [{number: 9090, name: http, protocol: HTTP}]
        endpoints: [{address: 10.2.0.1}]
      """, [.cluster, .endpoint, .listener, .route, .virtualHost]
    ),
    (
      .serviceEntry, "new Dubbo service on a new port",
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: greeter, namespace: default}
      spec:
        hosts: [org.example.Greeter]
        resolution: STATIC
        ports: [{number: 20881, name: dubbo, protocol: DUBBO}]
        endpoints: [{address: 10.4.0.1}]
      """, [.cluster, .endpoint, .listener, .route, .dubboRoute]
    ),
    (
      .workloadEntry, "new endpoint of a STATIC service",
      """
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: reviews-2, namespace: default}
      spec: {address: 10.1.0.2, labels: {app: reviews, version: v1}}
      """, [.endpoint]
    ),
    (
      .workloadEntry, "new endpoint of a DNS service",
      """
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: httpbin-2, namespace: default}
      spec: {address: httpbin-2.mesh.local, labels: {app: httpbin}}
      """, [.cluster]
    ),
  ]

  static let proxies = [
    Proxy(
      id: "sidecar~10.9.0.1~productpage.default~default.svc.cluster.local",
      ipAddresses: ["10.9.0.1"]),
    Proxy(
      id: "sidecar~10.9.0.2~grpc-client.default~default.svc.cluster.local", client: .grpc,
      ipAddresses: ["10.9.0.2"]),
    Proxy(
      id: "sidecar~10.9.0.3~dubbo-consumer.default~default.svc.cluster.local", client: .mosn,
      ipAddresses: ["10.9.0.3"]),
    vhdsSidecar,
  ]

  /// An Envoy sidecar on Delta ADS: virtual hosts by VHDS, on demand.
  static let vhdsSidecar = Proxy(
    id: "sidecar~10.9.0.4~reviewer.default~default.svc.cluster.local", ipAddresses: ["10.9.0.4"]
  ).overStream(delta: true)

  /// The VHDS names a sidecar holding every sample host subscribes to (`*`: Envoy's initial
  /// wildcard, which brings the on-demand markers).
  static let vhdsNames: Set<String> = [
    "*", "9080/reviews.default.svc.cluster.local:9080",
    "9090/ratings.default.svc.cluster.local:9090",
    "8000/httpbin.mesh.local:8000",
  ]

  /// The names a proxy asks for by name: a grpc client's listeners and routes, VHDS hosts.
  static func requestedNames(_ proxy: Proxy, _ type: XDSResourceType, vhds: Set<String> = vhdsNames)
    -> Set<String>?
  {
    if proxy.client == .grpc && (type == .listener || type == .route) {
      return ["reviews.default.svc.cluster.local:9080", "ratings.default.svc.cluster.local:9090"]
    }
    return type == .virtualHost && proxy.routeDelivery.usesVHDS ? vhds : nil
  }

  /// Which types' output differs between two snapshots for one proxy.
  static func changedTypes(
    _ before: MeshSnapshot, _ after: MeshSnapshot, for proxy: Proxy, vhds: Set<String> = vhdsNames
  ) -> Set<XDSResourceType> {
    let old = MeshTranslator(snapshot: before)
    let new = MeshTranslator(snapshot: after)
    return Set(
      XDSResourceType.allCases.filter { type in
        let names = requestedNames(proxy, type, vhds: vhds)
        return old.resources(for: proxy, type: type, requestedNames: names)
          != new.resources(for: proxy, type: type, requestedNames: names)
      })
  }

  static func snapshot(_ yaml: String, revision: Int64) throws -> MeshSnapshot {
    let objects = try ConfigParser().parse(Data(yaml.utf8), format: .yaml).objects
    return MeshSnapshot(revision: revision, objects: objects)
  }

  /// The base with `change` applied as the store would: an object with the same key replaces.
  static func snapshot(_ yaml: String, applying change: String, revision: Int64) throws
    -> MeshSnapshot
  {
    let parser = ConfigParser()
    var objects: [ConfigKey: ConfigObject] = [:]
    for object in try parser.parse(Data(yaml.utf8), format: .yaml).objects {
      objects[object.key] = object
    }
    for object in try parser.parse(Data(change.utf8), format: .yaml).objects {
      objects[object.key] = object
    }
    return MeshSnapshot(revision: revision, objects: objects.values)
  }

  /// Which types' output differs between two snapshots, for any of the sample proxies.
  static func changedTypes(_ before: MeshSnapshot, _ after: MeshSnapshot) -> Set<XDSResourceType> {
    let old = MeshTranslator(snapshot: before)
    let new = MeshTranslator(snapshot: after)
    var changed = Set<XDSResourceType>()
    for proxy in proxies {
      for type in XDSResourceType.allCases {
        let names = requestedNames(proxy, type)
        if old.resources(for: proxy, type: type, requestedNames: names)
          != new.resources(for: proxy, type: type, requestedNames: names)
        {
          changed.insert(type)
        }
      }
    }
    return changed
  }

  @Test(arguments: 0..<samples.count)
  func rowCoversExactlyWhatChanges(sample: Int) throws {
    let (kind, description, change, expected) = Self.samples[sample]
    let before = try Self.snapshot(Self.base, revision: 1)
    let after = try Self.snapshot(Self.base, applying: change, revision: 2)
    let changed = Self.changedTypes(before, after)
    #expect(changed == expected, "\(kind) (\(description)) changed \(changed.sorted())")

    let changedObject = try #require(
      try ConfigParser().parse(Data(change.utf8), format: .yaml).objects.first)
    let event = ConfigEvent(
      key: changedObject.key, old: before[changedObject.key], new: changedObject, revision: 2)
    let scope = PushTable.scope(for: event, against: .init(after))
    #expect(
      changed.isSubset(of: scope.types),
      "\(kind) (\(description)): table skips \(changed.subtracting(scope.types).sorted())")
  }

  @Test func everyTypeARowNamesChangesForSomeSample() {
    for (kind, row) in PushTable.rows {
      let covered = Self.samples.filter { $0.0 == kind }.reduce(into: Set<XDSResourceType>()) {
        $0.formUnion($1.3)
      }
      #expect(
        row.types.union(row.typesForDNSServices).union(row.typesForDubboHosts ?? []) == covered,
        "\(kind): table names \(row.types.sorted()), samples show \(covered.sorted())"
      )
    }
  }

  /// A route change on a Dubbo service is a route push: Envoy's Dubbo listener takes its routes
  /// over drds and must not be rewritten (that drains its connections).
  @Test func virtualServiceOnDubboHostPushesRoutesNotListeners() throws {
    let change = try #require(Self.samples.first { $0.1 == "method route on a Dubbo service" })
    let after = try Self.snapshot(Self.base, applying: change.2, revision: 2)
    let object = try #require(
      try ConfigParser().parse(Data(change.2.utf8), format: .yaml).objects.first)
    let scope = PushTable.scope(
      for: ConfigEvent(key: object.key, old: nil, new: object, revision: 2), against: .init(after))
    #expect(scope.types == [.route, .dubboRoute])
  }

  /// Issue #24: a VirtualService change reaches a Delta/VHDS sidecar as VirtualHost resources
  /// only (its routes and listeners stay put), and only if it holds the host; the same change
  /// reaches a SotW sidecar as RDS (and LDS for the fault filter), never as VirtualHost.
  @Test func virtualServiceChangePushesVirtualHostsToVHDSAndRoutesToSotW() throws {
    let change = try #require(Self.samples.first { $0.1 == "weighted route with fault" })
    let before = try Self.snapshot(Self.base, revision: 1)
    let after = try Self.snapshot(Self.base, applying: change.2, revision: 2)

    #expect(Self.changedTypes(before, after, for: Self.vhdsSidecar) == [.virtualHost])
    let holdsOnlyRatings: Set<String> = ["*", "9090/ratings.default.svc.cluster.local:9090"]
    #expect(
      Self.changedTypes(before, after, for: Self.vhdsSidecar, vhds: holdsOnlyRatings).isEmpty)

    let sotw = Self.vhdsSidecar.overStream(delta: false)
    #expect(sotw.routeDelivery == .inline)
    #expect(Self.changedTypes(before, after, for: sotw) == [.listener, .route])

    // The up-front variant holds every host without asking: the change is its VirtualHosts too.
    var upFront = Self.vhdsSidecar
    upFront.requestedRouteDelivery = .upFront
    upFront = upFront.overStream(delta: true)
    #expect(Self.changedTypes(before, after, for: upFront, vhds: ["*"]) == [.virtualHost])
  }

  /// MOSN and proxyless gRPC keep full RDS on Delta too; only intercepted Envoy sidecars
  /// switch, and `FAIRWAY_VHDS: off` keeps an Envoy on full RDS.
  @Test func onlyInterceptedEnvoySidecarsOnDeltaGetVHDS() {
    for proxy in Self.proxies.dropLast() where proxy.client != .envoy {
      #expect(proxy.overStream(delta: true).routeDelivery == .inline)
    }
    var off = Self.vhdsSidecar
    off.requestedRouteDelivery = .inline
    #expect(off.overStream(delta: true).routeDelivery == .inline)
    var bound = Self.vhdsSidecar
    bound.interceptionMode = .none
    #expect(bound.overStream(delta: true).routeDelivery == .inline)
    #expect(Self.vhdsSidecar.routeDelivery == .onDemand)
  }
}
