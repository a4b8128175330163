import FairwayBenchSupport
import FairwayMesh
import FairwayResources
import FairwayTranslate
import Foundation

/// Translation cost at mesh scale: 1,000 services x 10 endpoints, one proxy.
///
/// Run: `swift build -c release --product fairway-bench && .build/release/fairway-bench`
/// Optional arguments: services, endpoints per service, repetitions.

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let serviceCount = arguments.count > 0 ? arguments[0] : 1_000
let endpointsPerService = arguments.count > 1 ? arguments[1] : 10
let repetitions = arguments.count > 2 ? arguments[2] : 5

func milliseconds(_ duration: Duration) -> Double {
  let parts = duration.components
  return Double(parts.seconds) * 1_000 + Double(parts.attoseconds) / 1e15
}

func measure(_ body: () -> Void) -> Double {
  let clock = ContinuousClock()
  return milliseconds(clock.measure(body))
}

func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

func format(_ value: Double) -> String { String(format: "%8.2f ms", value) }

let proxy = Proxy(
  id: "sidecar~10.200.0.1~client.bench~bench.svc.cluster.local", ipAddresses: ["10.200.0.1"],
  namespace: "bench", labels: ["app": "client"])
var grpcProxy = proxy
grpcProxy.client = .grpc

print(
  "fairway-bench: \(serviceCount) services x \(endpointsPerService) endpoints, \(repetitions) runs (median)"
)
let clock = ContinuousClock()
var base = MeshSnapshot.empty
let parseTime = milliseconds(
  clock.measure {
    base = BenchMesh.snapshot(
      BenchMesh.yaml(services: serviceCount, endpoints: endpointsPerService), revision: 1)
  })
print(
  "parse YAML into snapshot (not translation): \(format(parseTime)) (\(base.objects.count) objects)"
)

var rows: [(String, [Double])] = [
  ("index (MeshTranslator.init)", []), ("CDS", []), ("EDS", []), ("LDS", []), ("RDS", []),
  ("total, first proxy (cold)", []), ("second proxy, same view (cached)", []),
  ("another pod of the namespace (new IP, labels)", []), ("grpc client, 10 targets", []),
  ("100 more sidecars of 10 workloads, per pod", []),
]
var counts: [XDSResourceType: (Int, Int)] = [:]
for _ in 0..<repetitions {
  var translator: MeshTranslator?
  let initTime = measure { translator = MeshTranslator(snapshot: base) }
  guard let translator else { exit(1) }
  var perType: [Double] = []
  for type in [XDSResourceType.cluster, .endpoint, .listener, .route] {
    perType.append(
      measure {
        let set = translator.resources(for: proxy, type: type, requestedNames: nil)
        counts[type] = (set.count, set.names.reduce(0) { $0 + (set[$1]?.anyBytes.count ?? 0) })
      })
  }
  let cached = measure {
    for type in [XDSResourceType.cluster, .endpoint, .listener, .route] {
      _ = translator.resources(for: proxy, type: type, requestedNames: nil)
    }
  }
  var other = proxy
  other.id = "sidecar~10.200.0.2~other.bench~bench.svc.cluster.local"
  other.ipAddresses = ["10.200.0.2"]
  other.labels = ["app": "other"]
  let otherView = measure {
    for type in [XDSResourceType.cluster, .endpoint, .listener, .route] {
      _ = translator.resources(for: other, type: type, requestedNames: nil)
    }
  }
  let targets = ResourceNames(Set((0..<10).map { "svc-\($0).bench.svc.cluster.local:8080" }))
  let grpcTime = measure {
    _ = translator.resources(for: grpcProxy, type: .listener, requestedNames: targets)
    _ = translator.resources(for: grpcProxy, type: .route, requestedNames: targets)
    _ = translator.resources(for: grpcProxy, type: .cluster, requestedNames: nil)
    _ = translator.resources(for: grpcProxy, type: .endpoint, requestedNames: nil)
  }
  // Pods of ten workloads serving svc-0...svc-9: each has its own IP and inbound side.
  let fleet =
    measure {
      for pod in 0..<100 {
        let workload = pod % 10
        let address = "10.\(workload / 250).\(workload % 250).\(pod / 10 + 1)"
        var sidecar = proxy
        sidecar.id = "sidecar~\(address)~p\(pod).bench~bench.svc.cluster.local"
        sidecar.ipAddresses = [address]
        sidecar.labels = ["app": "svc-\(workload)", "version": "v\(pod % 2 + 1)"]
        for type in [XDSResourceType.cluster, .endpoint, .listener, .route] {
          _ = translator.resources(for: sidecar, type: type, requestedNames: nil)
        }
      }
    } / 100
  let values =
    [initTime] + perType
    + [initTime + perType.reduce(0, +), cached, otherView, grpcTime, fleet]
  for index in rows.indices { rows[index].1.append(values[index]) }
}
for (label, values) in rows {
  print("  \(label.padding(toLength: 46, withPad: " ", startingAt: 0)) \(format(median(values)))")
}
for type in [XDSResourceType.cluster, .endpoint, .listener, .route] {
  let (count, bytes) = counts[type] ?? (0, 0)
  print("  \(type.shortName): \(count) resources, \(bytes / 1024) KiB encoded")
}

// Incremental EDS: one WorkloadEntry moves; the next translator reuses every other encoding.
let changed = BenchMesh.snapshot(
  BenchMesh.yaml(services: serviceCount, endpoints: endpointsPerService, changedEndpoint: true),
  revision: 2)
var incremental: [Double] = []
var patched: [Double] = []
var patchOnly: [Double] = []
var full: [Double] = []
var changedNames: Set<String> = []
let changedKey = ConfigKey(kind: .workloadEntry, namespace: "bench", name: "svc-0-0")
// Every derived translation goes through the engine's one update entry point, as pushes do.
let engine = TranslationEngine()
for _ in 0..<repetitions {
  // Built by the engine, as the coordinator's current translation is: the engine's push-table
  // basis then holds this translation's index, and the timed patches only replace that
  // reference (releasing an unrelated old index is not part of a push).
  let previous = engine.translation(of: base)
  _ = previous.resources(for: proxy, type: .endpoint, requestedNames: nil)
  // What the push coordinator does for a WorkloadEntry-only change: patch, no index rebuild.
  patchOnly.append(
    measure {
      let next = engine.translation(
        updating: previous, with: .snapshot(changed, changed: [changedKey]))
      _ = next?.endpointClustersChanged(since: previous)
    })
  patched.append(
    measure {
      let next = engine.translation(
        updating: previous, with: .snapshot(changed, changed: [changedKey]))
      _ = next?.endpointClustersChanged(since: previous)
      _ = next?.resources(for: proxy, type: .endpoint, requestedNames: nil)
    })
  incremental.append(
    measure {
      let next = engine.translation(updating: previous, with: .snapshot(changed, changed: nil))
      changedNames = next?.endpointClustersChanged(since: previous) ?? []
      _ = next?.resources(for: proxy, type: .endpoint, requestedNames: nil)
    })
  full.append(
    measure {
      let next = MeshTranslator(snapshot: changed)
      _ = next.resources(for: proxy, type: .endpoint, requestedNames: nil)
    })
}
print(
  "one WorkloadEntry changed (\(changedNames.count) EDS clusters differ: \(changedNames.sorted().joined(separator: ", "))):"
)
print(
  "  \("patch only (no EDS set)".padding(toLength: 44, withPad: " ", startingAt: 0)) \(format(median(patchOnly)))"
)
print(
  "  \("EDS, previous translator patched".padding(toLength: 44, withPad: " ", startingAt: 0)) \(format(median(patched)))"
)
print(
  "  \("EDS, new translator reusing previous".padding(toLength: 44, withPad: " ", startingAt: 0)) \(format(median(incremental)))"
)
print(
  "  \("EDS, new translator from scratch".padding(toLength: 44, withPad: " ", startingAt: 0)) \(format(median(full)))"
)

/// Times replacing the config `key` with `yaml`: the push coordinator patches the previous
/// translation; before, it took a snapshot of the store and indexed the whole mesh again. Each
/// path then builds `types` for a sidecar, as a push of that change does.
@MainActor func timeChange(_ title: String, key: ConfigKey, yaml: String, types: [XDSResourceType])
{
  let replacement = BenchMesh.snapshot(yaml, revision: 3).objects
  let unchangedObjects = base.objects.filter { $0.key != key }
  let built = types.map(\.shortName).joined(separator: "+")
  var patchOnly: [Double] = []
  var patchBuild: [Double] = []
  var full: [Double] = []
  var encodedHosts = 0
  for _ in 0..<repetitions {
    let previous = engine.translation(of: base)
    for type in types { _ = previous.resources(for: proxy, type: type, requestedNames: nil) }
    let changed = MeshSnapshot(revision: 3, objects: unchangedObjects + replacement)
    patchOnly.append(
      measure {
        _ = engine.translation(updating: previous, with: .snapshot(changed, changed: [key]))
      })
    patchBuild.append(
      measure {
        let next = engine.translation(updating: previous, with: .snapshot(changed, changed: [key]))
        for type in types { _ = next?.resources(for: proxy, type: type, requestedNames: nil) }
        encodedHosts = (next as? MeshTranslator)?.encodedVirtualHostCount ?? 0
      })
    full.append(
      measure {
        let snapshot = MeshSnapshot(revision: 3, objects: unchangedObjects + replacement)
        let next = engine.translation(updating: previous, with: .snapshot(snapshot, changed: nil))
        for type in types { _ = next?.resources(for: proxy, type: type, requestedNames: nil) }
      })
  }
  print("\(title):")
  for (label, values) in [
    ("patch only", patchOnly), ("\(built), previous translator patched", patchBuild),
    ("\(built), snapshot + new translator (before)", full),
  ] {
    print("  \(label.padding(toLength: 48, withPad: " ", startingAt: 0)) \(format(median(values)))")
  }
  if types.contains(.route) {
    print("  sidecar virtual hosts encoded by the patched translation: \(encodedHosts)")
  }
}

let generator = MeshGenerator(services: serviceCount, endpoints: endpointsPerService)
let routed = generator.virtualServiceChangeService(1)
timeChange(
  "one VirtualService changed (svc-\(routed))",
  key: ConfigKey(kind: .virtualService, namespace: MeshGenerator.namespace, name: "svc-\(routed)"),
  yaml: generator.virtualServiceChange(1).yaml, types: [.route])
// A third subset and a new connection limit: CDS and EDS change for one service.
timeChange(
  "one DestinationRule changed (svc-\(routed))",
  key: ConfigKey(kind: .destinationRule, namespace: MeshGenerator.namespace, name: "svc-\(routed)"),
  yaml: generator.destinationRule(routed)
    .replacingOccurrences(of: "maxConnections: 100", with: "maxConnections: 200")
    .replacingOccurrences(
      of: "{version: v2}}]", with: "{version: v2}}, {name: v3, labels: {version: v3}}]"),
  types: [.cluster, .endpoint, .route])
