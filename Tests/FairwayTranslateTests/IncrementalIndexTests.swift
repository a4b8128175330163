import FairwayMesh
import FairwayResources
import FairwayTranslate
import Testing

/// A WorkloadEntry-only change patches the previous translation's index; whatever it patches
/// must equal a translation built from scratch.
@Suite struct IncrementalIndexTests {
  static func workload(_ name: String, address: String, app: String, version: String) -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: WorkloadEntry
    metadata: {name: \(name), namespace: default}
    spec:
      address: \(address)
      labels: {app: \(app), version: \(version)}
      locality: region-1/zone-\(name.count % 3)
    """
  }

  static func service(_ app: String, resolution: String = "STATIC") -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: \(app), namespace: default}
    spec:
      hosts: [\(app).default.svc.cluster.local]
      location: MESH_INTERNAL
      resolution: \(resolution)
      ports: [{number: 8080, name: http, protocol: HTTP}, {number: 9090, name: grpc, protocol: GRPC}]
      workloadSelector: {labels: {app: \(app)}}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: \(app), namespace: default}
    spec:
      host: \(app)
      subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
    """
  }

  static let base: [String: String] = [
    "a-1": workload("a-1", address: "10.0.0.1", app: "a", version: "v1"),
    "a-2": workload("a-2", address: "10.0.0.2", app: "a", version: "v2"),
    "b-1": workload("b-1", address: "10.0.1.1", app: "b", version: "v1"),
    "b-2": workload("b-2", address: "10.0.1.2", app: "b", version: "v1"),
    "c-1": workload("c-1", address: "10.0.2.1", app: "c", version: "v2"),
  ]

  static func mesh(_ workloads: [String: String]) -> String {
    ([service("a"), service("b"), service("c"), service("d", resolution: "DNS")]
      + workloads.keys.sorted().compactMap { workloads[$0] }).joined(separator: "\n---\n")
  }

  static let proxies = [
    Proxy(
      id: "sidecar~10.0.0.1~a-1.default~default.svc.cluster.local", ipAddresses: ["10.0.0.1"],
      labels: ["app": "a", "version": "v1"]),
    Proxy(
      id: "sidecar~10.0.9.9~b-9.default~default.svc.cluster.local", ipAddresses: ["10.0.9.9"],
      labels: ["app": "b", "version": "v2"]),
    Proxy(id: "grpc", client: .grpc, labels: [:]),
  ]

  /// Applies `edit` to the base workloads and checks the patched translation against a fresh one.
  func check(_ edit: (inout [String: String]) -> Void) throws {
    let (after, names) = Self.applying(edit, to: Self.base)
    let changed = Set(names.map { ConfigKey(kind: .workloadEntry, namespace: "default", name: $0) })
    try Self.expectPatchMatchesFresh(
      before: Self.mesh(Self.base), after: Self.mesh(after), changed: changed)
  }

  /// `base` (documents by name) with `edit` applied, and the names whose document it added,
  /// changed or removed.
  static func applying(_ edit: (inout [String: String]) -> Void, to base: [String: String])
    -> (after: [String: String], changed: [String])
  {
    var after = base
    edit(&after)
    return (after, Set(base.keys).union(after.keys).filter { base[$0] != after[$0] })
  }

  /// Translates `before` and asks it for every type for every test proxy (caches and known set
  /// versions are what a patch carries over), patches it with the `changed` objects as `after`
  /// has them, and checks the result against a fresh translation of `after`.
  @discardableResult
  static func expectPatchMatchesFresh(before: String, after: String, changed: Set<ConfigKey>)
    throws -> (patched: MeshTranslator, fresh: MeshTranslator)
  {
    let previous = MeshTranslator(snapshot: try Meshes.snapshot(before, revision: 1))
    for proxy in proxies {
      for type in [XDSResourceType.cluster, .endpoint, .listener, .route] {
        _ = previous.resources(for: proxy, type: type, requestedNames: nil).version
      }
    }
    let snapshot = try Meshes.snapshot(after, revision: 2)
    let patched = try Meshes.translation(
      updating: previous, with: .snapshot(snapshot, changed: changed))
    let fresh = MeshTranslator(snapshot: snapshot)
    #expect(patched.incrementalEndpointChanges == fresh.changedEndpointClusters(since: previous))
    #expect(patched.endpointClusterNames == fresh.endpointClusterNames)
    expectSameResources(patched, fresh)
    return (patched, fresh)
  }

  /// Applies `edits` to `base` one after another, patching each translation from the one
  /// before (not from a fresh build), so state a patch leaves behind for the next one is
  /// checked too. `mesh` writes documents by name as a mesh; `keys` names the changed objects.
  /// Every patched translation must equal a fresh translation of its mesh; the last is returned.
  @discardableResult
  static func expectChainMatchesFresh(
    from base: [String: String], _ edits: [(inout [String: String]) -> Void],
    mesh: ([String: String]) -> String, keys: ([String]) -> Set<ConfigKey>
  ) throws -> MeshTranslator {
    var documents = base
    var previous = MeshTranslator(snapshot: try Meshes.snapshot(mesh(base), revision: 1))
    for (offset, edit) in edits.enumerated() {
      for proxy in proxies {
        for type in [XDSResourceType.cluster, .endpoint, .listener, .route] {
          _ = previous.resources(for: proxy, type: type, requestedNames: nil).version
        }
      }
      let (after, names) = applying(edit, to: documents)
      let snapshot = try Meshes.snapshot(mesh(after), revision: Int64(offset + 2))
      let patched = try Meshes.translation(
        updating: previous, with: .snapshot(snapshot, changed: keys(names)))
      expectSameResources(patched, MeshTranslator(snapshot: snapshot))
      previous = patched
      documents = after
    }
    return previous
  }

  /// A fixed walk through `pool` (a document, or nil to delete it, by name): step N sets pool
  /// entry N and one further along, wrapping, so steps mix edits of different hosts.
  static func walk(_ pool: [(name: String, document: String?)])
    -> [(inout [String: String]) -> Void]
  {
    pool.indices.map { step in
      let first = pool[step]
      let second = pool[(step * 5 + 3) % pool.count]
      return { documents in
        documents[first.name] = first.document
        if second.name != first.name { documents[second.name] = second.document }
      }
    }
  }

  /// Every type for every test proxy, and the set versions, are the same in both translations.
  static func expectSameResources(_ patched: MeshTranslator, _ fresh: MeshTranslator) {
    for proxy in proxies {
      for type in [XDSResourceType.cluster, .endpoint, .listener, .route] {
        let left = patched.resources(for: proxy, type: type, requestedNames: nil)
        let right = fresh.resources(for: proxy, type: type, requestedNames: nil)
        #expect(left == right, "\(proxy.id) \(type)")
        #expect(left.version == right.version, "\(proxy.id) \(type)")
      }
    }
  }

  @Test func movedAddress() throws {
    try check { $0["a-2"] = Self.workload("a-2", address: "10.0.0.22", app: "a", version: "v2") }
  }

  @Test func movedToAnotherService() throws {
    try check { $0["b-2"] = Self.workload("b-2", address: "10.0.1.2", app: "a", version: "v1") }
  }

  @Test func changedSubset() throws {
    try check { $0["a-1"] = Self.workload("a-1", address: "10.0.0.1", app: "a", version: "v2") }
  }

  @Test func deletedAndAdded() throws {
    try check {
      $0["c-1"] = nil
      $0["b-9"] = Self.workload("b-9", address: "10.0.9.9", app: "b", version: "v2")
    }
  }

  @Test func workloadOfDNSService() throws {
    try check { $0["d-1"] = Self.workload("d-1", address: "10.0.3.1", app: "d", version: "v1") }
  }

  @Test func unchangedWorkloadChangesNothing() throws {
    let before = MeshTranslator(snapshot: try Meshes.snapshot(Self.mesh(Self.base), revision: 1))
    let patched = try Meshes.translation(
      updating: before,
      with: .snapshot(
        try Meshes.snapshot(Self.mesh(Self.base), revision: 2),
        changed: [ConfigKey(kind: .workloadEntry, namespace: "default", name: "a-1")]))
    #expect(patched.incrementalEndpointChanges == [])
  }
}
