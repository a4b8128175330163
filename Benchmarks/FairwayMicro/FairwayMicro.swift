import Benchmark
import FairwayBenchSupport
import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayTranslate
import FairwayXDS
import Foundation

/// Microbenchmarks of the hot paths, with malloc counts so regressions show:
/// `swift package --allow-writing-to-package-directory benchmark --target FairwayMicro`
/// (or `make bench-micro`). The mesh is `BenchMesh`: 1,000 services x 10 endpoints.
let benchmarks: @Sendable () -> Void = {
  let services = Int(ProcessInfo.processInfo.environment["FAIRWAY_MICRO_SERVICES"] ?? "") ?? 1_000
  let base = BenchMesh.snapshot(BenchMesh.yaml(services: services, endpoints: 10), revision: 1)
  let moved = BenchMesh.snapshot(
    BenchMesh.yaml(services: services, endpoints: 10, changedEndpoint: true), revision: 2)
  let sidecar = Proxy(
    id: "sidecar~10.200.0.1~client.bench~bench.svc.cluster.local", ipAddresses: ["10.200.0.1"],
    namespace: "bench", labels: ["app": "client"])
  let types: [XDSResourceType] = [.cluster, .endpoint, .listener, .route]
  let metrics: [BenchmarkMetric] = [
    .wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident, .throughput,
  ]
  let slow = Benchmark.Configuration(metrics: metrics, maxDuration: .seconds(3), maxIterations: 20)
  let fast = Benchmark.Configuration(metrics: metrics, maxDuration: .seconds(2))

  // One sidecar's whole config from a fresh translator: the cost of a first connect after a
  // config change (index + CDS + EDS + LDS + RDS, every resource encoded once).
  Benchmark("Translate one proxy view (\(services) services)", configuration: slow) { benchmark in
    for _ in benchmark.scaledIterations {
      let translator = MeshTranslator(snapshot: base)
      for type in types {
        blackHole(translator.resources(for: sidecar, type: type, requestedNames: nil))
      }
    }
  }

  // Another pod of an already translated view: what each extra sidecar costs.
  let warm = MeshTranslator(snapshot: base)
  for type in types { _ = warm.resources(for: sidecar, type: type, requestedNames: nil) }
  var pod = 0
  Benchmark("Translate another pod, shared view", configuration: fast) { benchmark in
    for _ in benchmark.scaledIterations {
      pod += 1
      var other = sidecar
      other.id =
        "sidecar~10.201.\(pod / 250 % 250).\(pod % 250)~p\(pod).bench~bench.svc.cluster.local"
      other.ipAddresses = ["10.201.\(pod / 250 % 250).\(pod % 250)"]
      for type in types {
        blackHole(warm.resources(for: other, type: type, requestedNames: nil))
      }
    }
  }

  // The push path of one WorkloadEntry change, as the server takes it: the previous
  // translation patched with the changed object, the EDS clusters it names, and the EDS
  // resources a sidecar is sent for them.
  let engine = TranslationEngine()
  let previous = engine.translation(of: base)
  _ = previous.resources(for: sidecar, type: .endpoint, requestedNames: nil)
  let movedKey = ConfigKey(kind: .workloadEntry, namespace: "bench", name: "svc-0-0")
  let movedObjects: [ConfigKey: ConfigObject?] = [movedKey: moved[movedKey]]
  Benchmark("Push path: one endpoint change -> EDS (patched)", configuration: fast) {
    benchmark in
    for iteration in benchmark.scaledIterations {
      let next = engine.translation(
        updating: previous, with: .objects(movedObjects, revision: Int64(2 + iteration)))
      let changed = next?.endpointClustersChanged(since: previous) ?? []
      blackHole(
        next?.resources(for: sidecar, type: .endpoint, requestedNames: ResourceNames(changed)))
    }
  }

  // The same change through a full rebuild (any other kind of change takes this path).
  Benchmark("Push path: one endpoint change -> EDS (full rebuild)", configuration: slow) {
    benchmark in
    for _ in benchmark.scaledIterations {
      let next = engine.translation(updating: previous, with: .snapshot(moved, changed: nil))
      let changed = next?.endpointClustersChanged(since: previous) ?? []
      blackHole(
        next?.resources(for: sidecar, type: .endpoint, requestedNames: ResourceNames(changed)))
    }
  }

  // Encoding: one typical cluster, serialized and packed once.
  let clusterSet = warm.resources(for: sidecar, type: .cluster, requestedNames: nil)
  let cluster = clusterSet.names.compactMap { clusterSet[$0] }.first {
    $0.name.hasPrefix("outbound|8080|v1|")
  }
  Benchmark("Encode one cluster", configuration: fast) { benchmark in
    guard let cluster,
      let message = try? Envoy_Config_Cluster_V3_Cluster(serializedBytes: cluster.bytes)
    else { return }
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
      blackHole(try? EncodedResource(name: cluster.name, type: .cluster, message: message))
    }
  }

  // A full CDS response for one stream from resources already encoded: what every stream's
  // push costs on top of the shared translation (the set version and the `resources` field
  // are the shared set's, built once; per stream only version, nonce and framing).
  let controlPlane = ResponseEncoder.controlPlane(identifier: "fairway")
  Benchmark("Push path: SotW CDS response (\(clusterSet.count) clusters)", configuration: fast) {
    benchmark in
    for iteration in benchmark.scaledIterations {
      blackHole(
        ResponseEncoder.stateOfTheWorld(
          version: clusterSet.version, wholeSet: clusterSet, nonce: String(iteration),
          controlPlane: controlPlane))
    }
  }

  // The same response assembled resource by resource into one private buffer (how every
  // stream's response was built before the set's bytes were shared; still the path for a
  // stream that takes part of a set).
  let clusters = clusterSet.sortedResources
  Benchmark("Push path: SotW CDS response, per-stream copy", configuration: fast) {
    benchmark in
    for iteration in benchmark.scaledIterations {
      blackHole(
        ResponseEncoder.stateOfTheWorld(
          version: clusterSet.version, resources: clusters, type: .cluster,
          nonce: String(iteration), controlPlane: controlPlane))
    }
  }

  // The Delta counterparts: a first EDS response to one stream around the set's shared field
  // (a Delta sidecar's first sync, per stream), and built resource by resource (a stream that
  // takes part of a set; every Delta stream before the field was shared).
  let endpointSet = warm.resources(for: sidecar, type: .endpoint, requestedNames: nil)
  Benchmark("Push path: Delta EDS response (\(endpointSet.count) assignments)", configuration: fast)
  { benchmark in
    for iteration in benchmark.scaledIterations {
      blackHole(
        ResponseEncoder.delta(
          systemVersion: endpointSet.version, wholeSet: endpointSet, nonce: String(iteration),
          controlPlane: controlPlane))
    }
  }
  let assignments = endpointSet.sortedResources
  Benchmark("Push path: Delta EDS response, per-stream copy", configuration: fast) { benchmark in
    for iteration in benchmark.scaledIterations {
      blackHole(
        ResponseEncoder.delta(
          systemVersion: endpointSet.version, resources: assignments, removed: [],
          type: .endpoint, nonce: String(iteration), controlPlane: controlPlane))
    }
  }
}
