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
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: httpbin, namespace: default}
    spec:
      hosts: [httpbin.mesh.local]
      http:
      - match: [{uri: {prefix: /api}}]
        delegate: {name: httpbin-api}
      - route: [{destination: {host: httpbin.mesh.local}}]
    """

  /// Sample changes per kind: (description, YAML applied on top of the base, expected types).
  static let samples: [(ConfigKind, String, String, Set<XDSResourceType>)] = [
    (
      .virtualService, "delegate a root names",
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: httpbin-api, namespace: default}
      spec:
        http:
        - match: [{headers: {x-v: {exact: "2"}}}]
          route: [{destination: {host: httpbin.mesh.local}}]
      """, [.route, .virtualHost]
    ),
    (
      .virtualService, "delegate no root names",
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: orphan, namespace: default}
      spec:
        http:
        - route: [{destination: {host: httpbin.mesh.local}}]
      """, []
    ),
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
      .gateway, "new HTTP server for the ingress gateway",
      """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: ingress, namespace: istio-system}
      spec:
        selector: {istio: ingressgateway}
        servers:
        - port: {number: 8080, name: http, protocol: HTTP}
          hosts: [reviews.example.com]
      """, [.listener, .route]
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
    (
      .workloadEntry, "health-checked endpoint before its first healthy report",
      """
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata:
        name: reviews-3
        namespace: default
        annotations: {proxy.istio.io/health-checks-enabled: "true"}
      spec: {address: 10.1.0.3, labels: {app: reviews, version: v1}}
      """, []
    ),
    (
      .workloadEntry, "health-checked endpoint reported healthy",
      """
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata:
        name: reviews-3
        namespace: default
        annotations: {proxy.istio.io/health-checks-enabled: "true", fairway.io/healthy: "true"}
      spec: {address: 10.1.0.3, labels: {app: reviews, version: v1}}
      """, [.endpoint]
    ),
    (
      .workloadGroup, "a group whose template selects a service",
      """
      apiVersion: networking.istio.io/v1
      kind: WorkloadGroup
      metadata: {name: reviews-vm, namespace: default}
      spec:
        template: {labels: {app: reviews, version: v1}, ports: {http: 9080}}
        probe: {httpGet: {port: 9080, path: /ready}}
      """, []
    ),
    (
      .sidecar, "egress to one host",
      """
      apiVersion: networking.istio.io/v1
      kind: Sidecar
      metadata: {name: default, namespace: default}
      spec:
        egress: [{hosts: ["./reviews.default.svc.cluster.local"]}]
      """, [.cluster, .endpoint, .listener, .route, .dubboRoute, .virtualHost]
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
    ingressGateway,
    vhdsSidecar,
  ]

  static let ingressGateway = Proxy(
    id: "router~10.9.0.4~ingress-1.istio-system~istio-system.svc.cluster.local", kind: .router,
    ipAddresses: ["10.9.0.4"], namespace: "istio-system", labels: ["istio": "ingressgateway"])
  static let egressGateway = Proxy(
    id: "router~10.9.0.5~egress-1.istio-system~istio-system.svc.cluster.local", kind: .router,
    ipAddresses: ["10.9.0.5"], namespace: "istio-system", labels: ["istio": "egressgateway"])

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
        return old.resources(for: proxy, type: type, requestedNames: names.map(ResourceNames.init))
          != new.resources(for: proxy, type: type, requestedNames: names.map(ResourceNames.init))
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
        if old.resources(for: proxy, type: type, requestedNames: names.map(ResourceNames.init))
          != new.resources(for: proxy, type: type, requestedNames: names.map(ResourceNames.init))
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
    // Per proxy: each is sent the types of its own route delivery, and those cover what
    // changed for it.
    for proxy in Self.proxies {
      let mine = Self.changedTypes(before, after, for: proxy)
      let sent = scope.types(for: proxy.routeDelivery)
      #expect(
        mine.isSubset(of: sent),
        "\(kind) (\(description)) for \(proxy.id): skips \(mine.subtracting(sent).sorted())")
    }
  }

  /// The VHDS column both ways: what a VHDS sidecar is sent for a VirtualService or
  /// DestinationRule change is exactly what changes for it when it holds every host.
  @Test(arguments: ["weighted route with fault", "new subset and consistent hash"])
  func vhdsTypesAreExactlyWhatChangesForAVHDSSidecar(sample: String) throws {
    let (_, _, change, _) = try #require(Self.samples.first { $0.1 == sample })
    let before = try Self.snapshot(Self.base, revision: 1)
    let after = try Self.snapshot(Self.base, applying: change, revision: 2)
    let object = try #require(
      try ConfigParser().parse(Data(change.utf8), format: .yaml).objects.first)
    let event = ConfigEvent(key: object.key, old: before[object.key], new: object, revision: 2)
    let scope = PushTable.scope(for: event, against: .init(after))
    #expect(scope.vhdsTypes != nil)
    #expect(
      scope.types(for: Self.vhdsSidecar.routeDelivery)
        == Self.changedTypes(before, after, for: Self.vhdsSidecar))
  }

  /// TCP routes live in listeners whatever the route delivery: a VirtualService with them
  /// still reaches a VHDS sidecar's LDS, and the scope says so.
  @Test func tcpRouteChangeReachesVHDSListeners() throws {
    let tcpService = """
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: db, namespace: default}
      spec:
        hosts: [db.default.svc.cluster.local]
        location: MESH_INTERNAL
        resolution: STATIC
        ports: [{number: 5432, name: tcp-db, protocol: TCP}]
        endpoints: [{address: 10.4.0.1, labels: {version: v1}}, {address: 10.4.0.2, labels: {version: v2}}]
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: db, namespace: default}
      spec:
        host: db.default.svc.cluster.local
        subsets: [{name: v2, labels: {version: v2}}]
      """
    let change = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: db, namespace: default}
      spec:
        hosts: [db.default.svc.cluster.local]
        tcp:
        - route: [{destination: {host: db.default.svc.cluster.local, subset: v2}}]
      """
    let before = try Self.snapshot(Self.base + "\n" + tcpService, revision: 1)
    let after = try Self.snapshot(Self.base + "\n" + tcpService, applying: change, revision: 2)
    let changed = Self.changedTypes(before, after, for: Self.vhdsSidecar)
    #expect(changed.contains(.listener))
    let object = try #require(
      try ConfigParser().parse(Data(change.utf8), format: .yaml).objects.first)
    let event = ConfigEvent(key: object.key, old: nil, new: object, revision: 2)
    let scope = PushTable.scope(for: event, against: .init(after))
    #expect(changed.isSubset(of: scope.types(for: Self.vhdsSidecar.routeDelivery)))
    #expect(!scope.types(for: Self.vhdsSidecar.routeDelivery).contains(.route))
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

  /// A scoped mesh for the table's "to whom": services in a, b and c; a's Sidecar sees a and
  /// b, b's Sidecar for `app: narrow` sees only b.
  static let scopedBase = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: alpha, namespace: a}
    spec: {hosts: [alpha.a.svc.cluster.local], resolution: STATIC, ports: [{number: 80, name: http, protocol: HTTP}], endpoints: [{address: 10.1.0.1}]}
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: beta, namespace: b}
    spec: {hosts: [beta.b.svc.cluster.local], resolution: STATIC, ports: [{number: 80, name: http, protocol: HTTP}], endpoints: [{address: 10.2.0.1, labels: {version: v1}}]}
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: gamma, namespace: c}
    spec: {hosts: [gamma.c.svc.cluster.local], resolution: STATIC, ports: [{number: 80, name: http, protocol: HTTP}], endpoints: [{address: 10.3.0.1}]}
    ---
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata: {name: default, namespace: a}
    spec: {egress: [{hosts: ["./*", "b/*"]}]}
    ---
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata: {name: narrow, namespace: b}
    spec: {workloadSelector: {labels: {app: narrow}}, egress: [{hosts: ["./*"]}]}
    """

  static let scopedProxies = [
    Proxy(
      id: "sidecar~10.9.1.1~p.a~a.svc.cluster.local", ipAddresses: ["10.9.1.1"], namespace: "a"),
    Proxy(
      id: "sidecar~10.9.1.2~p.b~b.svc.cluster.local", ipAddresses: ["10.9.1.2"], namespace: "b",
      labels: ["app": "wide"]),
    Proxy(
      id: "sidecar~10.9.1.3~q.b~b.svc.cluster.local", ipAddresses: ["10.9.1.3"], namespace: "b",
      labels: ["app": "narrow"]),
    Proxy(
      id: "sidecar~10.9.1.4~p.c~c.svc.cluster.local", ipAddresses: ["10.9.1.4"], namespace: "c"),
  ]

  /// (description, change, the proxies (by index) it must reach).
  static let reachSamples: [(String, String, Set<Int>)] = [
    (
      "service in c: only proxies whose scope sees c",
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: gamma, namespace: c}
      spec: {hosts: [gamma.c.svc.cluster.local], resolution: STATIC, ports: [{number: 80, name: http, protocol: HTTP}], endpoints: [{address: 10.3.0.2}]}
      """, [1, 3]
    ),
    (
      "VirtualService exported to its namespace",
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: gamma, namespace: c}
      spec: {hosts: [gamma.c.svc.cluster.local], exportTo: ["."], http: [{route: [{destination: {host: gamma.c.svc.cluster.local}}], timeout: 3s}]}
      """, [3]
    ),
    (
      "VirtualService for b's service, exported everywhere",
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: beta, namespace: b}
      spec: {hosts: [beta.b.svc.cluster.local], http: [{route: [{destination: {host: beta.b.svc.cluster.local}}], timeout: 3s}]}
      """, [0, 1, 2, 3]
    ),
    (
      "DestinationRule in the client's namespace",
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: beta, namespace: a}
      spec: {host: beta.b.svc.cluster.local, trafficPolicy: {loadBalancer: {simple: RANDOM}}}
      """, [0]
    ),
    (
      "DestinationRule exported to its namespace",
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: beta, namespace: b}
      spec: {host: beta.b.svc.cluster.local, exportTo: ["."], subsets: [{name: v1, labels: {version: v1}}]}
      """, [1, 2]
    ),
    (
      "Sidecar with a selector",
      """
      apiVersion: networking.istio.io/v1
      kind: Sidecar
      metadata: {name: narrow, namespace: b}
      spec: {workloadSelector: {labels: {app: narrow}}, egress: [{hosts: ["./*", "c/*"]}]}
      """, [2]
    ),
    (
      "namespace default Sidecar",
      """
      apiVersion: networking.istio.io/v1
      kind: Sidecar
      metadata: {name: default, namespace: c}
      spec: {egress: [{hosts: ["./*"]}]}
      """, [3]
    ),
  ]

  /// The table's "to whom", both ways: every proxy whose output changes is reached, every
  /// proxy not reached keeps every resource, and the expected proxies are exactly the reached.
  @Test(arguments: 0..<reachSamples.count)
  func reachCoversExactlyTheProxiesThatChange(sample: Int) throws {
    let (description, change, expected) = Self.reachSamples[sample]
    let before = try Self.snapshot(Self.scopedBase, revision: 1)
    let after = try Self.snapshot(Self.scopedBase, applying: change, revision: 2)
    let old = MeshTranslator(snapshot: before)
    let new = MeshTranslator(snapshot: after)
    let object = try #require(
      try ConfigParser().parse(Data(change.utf8), format: .yaml).objects.first)
    let scope = PushTable.scope(
      for: ConfigEvent(key: object.key, old: before[object.key], new: object, revision: 2),
      against: .init(before))
    let reach = try #require(scope.reach, "\(description): reaches every proxy")
    var reached: Set<Int> = []
    var changedAny = false
    for (position, proxy) in Self.scopedProxies.enumerated() {
      // EDS as Envoy subscribes to it: the assignments of the clusters it has.
      let oldClusters = Set(old.resources(for: proxy, type: .cluster, requestedNames: nil).names)
      let newClusters = Set(new.resources(for: proxy, type: .cluster, requestedNames: nil).names)
      let changed = XDSResourceType.allCases.contains { type in
        old.resources(
          for: proxy, type: type,
          requestedNames: type == .endpoint ? ResourceNames(oldClusters) : nil)
          != new.resources(
            for: proxy, type: type,
            requestedNames: type == .endpoint ? ResourceNames(newClusters) : nil)
      }
      changedAny = changedAny || changed
      if new.reaches(proxy, reach) {
        reached.insert(position)
      } else {
        #expect(!changed, "\(description): proxy \(position) changed but is not reached")
      }
    }
    #expect(reached == expected, "\(description): reached \(reached.sorted())")
    #expect(changedAny, "\(description): changes nothing")
  }

  /// A Gateway change reaches only the gateway proxies it selects, and only their LDS and RDS;
  /// sidecars and other gateways get nothing. A VirtualService bound to that gateway changes the
  /// gateway's routes (its row's RDS) and nothing on sidecars.
  @Test func gatewayChangesReachOnlyTheGatewaysTheySelect() throws {
    let gateway = try #require(Self.samples.first { $0.0 == .gateway })
    let before = try Self.snapshot(Self.base, revision: 1)
    let after = try Self.snapshot(Self.base, applying: gateway.2, revision: 2)
    #expect(Self.changedTypes(before, after, for: Self.ingressGateway) == [.listener, .route])
    #expect(Self.changedTypes(before, after, for: Self.egressGateway).isEmpty)
    #expect(Self.changedTypes(before, after, for: Self.proxies[0]).isEmpty)

    let bound = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: reviews-ingress, namespace: default}
      spec:
        hosts: [reviews.example.com]
        gateways: [istio-system/ingress]
        http:
        - route: [{destination: {host: reviews.default.svc.cluster.local, subset: v1}}]
      """
    let withRoute = try Self.snapshot(
      Self.base, applying: gateway.2 + "\n---\n" + bound, revision: 3)
    #expect(Self.changedTypes(after, withRoute, for: Self.ingressGateway) == [.route])
    #expect(Self.changedTypes(after, withRoute, for: Self.proxies[0]).isEmpty)
    #expect(Self.changedTypes(after, withRoute, for: Self.egressGateway).isEmpty)
    let object = try #require(
      try ConfigParser().parse(Data(bound.utf8), format: .yaml).objects.first)
    let scope = PushTable.scope(
      for: ConfigEvent(key: object.key, old: nil, new: object, revision: 3),
      against: .init(withRoute))
    #expect(scope.types.isSuperset(of: [.route]))
    let gatewayObject = try #require(
      try ConfigParser().parse(Data(gateway.2.utf8), format: .yaml).objects.first)
    let gatewayScope = PushTable.scope(
      for: ConfigEvent(key: gatewayObject.key, old: nil, new: gatewayObject, revision: 2),
      against: .init(after))
    #expect(gatewayScope.types == [.listener, .route])
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

  /// Both ways for delegates: a delegate no root names changes nothing and the table pushes
  /// nothing; one a root names is judged by the root's hosts (and its deletion pushes too).
  @Test func delegateChangesFollowTheirRoots() throws {
    let orphan = try #require(Self.samples.first { $0.1 == "delegate no root names" })
    let before = try Self.snapshot(Self.base, revision: 1)
    let withOrphan = try Self.snapshot(Self.base, applying: orphan.2, revision: 2)
    #expect(Self.changedTypes(before, withOrphan).isEmpty)
    let orphanObject = try #require(
      try ConfigParser().parse(Data(orphan.2.utf8), format: .yaml).objects.first)
    let orphanScope = PushTable.scope(
      for: ConfigEvent(key: orphanObject.key, old: nil, new: orphanObject, revision: 2),
      against: .init(withOrphan))
    #expect(orphanScope.types.isEmpty)

    let used = try #require(Self.samples.first { $0.1 == "delegate a root names" })
    let withUsed = try Self.snapshot(Self.base, applying: used.2, revision: 2)
    let usedObject = try #require(
      try ConfigParser().parse(Data(used.2.utf8), format: .yaml).objects.first)
    let deletion = ConfigEvent(key: usedObject.key, old: usedObject, new: nil, revision: 3)
    #expect(Self.changedTypes(withUsed, before) == [.route, .virtualHost])
    #expect(
      PushTable.scope(for: deletion, against: .init(before)).types
        == [.listener, .route, .virtualHost])
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
