import FairwayAnalyze
import FairwayMesh
import Foundation

/// Document sets for the analyzer tests, written the way users write them.
enum MeshDocuments {
  static let reviewsService = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: reviews, namespace: default}
    spec:
      hosts: [reviews.default.svc.cluster.local]
      location: MESH_INTERNAL
      resolution: STATIC
      ports:
      - {number: 9080, name: http, protocol: HTTP}
      workloadSelector:
        labels: {app: reviews}
    """

  static let reviewsWorkloads = """
    apiVersion: networking.istio.io/v1
    kind: WorkloadEntry
    metadata: {name: reviews-v1, namespace: default}
    spec: {address: 10.1.0.1, labels: {app: reviews, version: v1}}
    ---
    apiVersion: networking.istio.io/v1
    kind: WorkloadEntry
    metadata: {name: reviews-v2, namespace: default}
    spec: {address: 10.1.0.2, labels: {app: reviews, version: v2}}
    """

  static let reviewsRule = """
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: reviews, namespace: default}
    spec:
      host: reviews
      subsets:
      - {name: v1, labels: {version: v1}}
      - {name: v2, labels: {version: v2}}
    """

  static func reviewsRoute(
    subsets: [String] = ["v1", "v2"], host: String = "reviews", exportTo: String? = nil
  ) -> String {
    var lines = [
      "apiVersion: networking.istio.io/v1", "kind: VirtualService",
      "metadata: {name: reviews, namespace: default}", "spec:", "  hosts: [reviews]",
    ]
    if let exportTo { lines.append("  exportTo: [\"\(exportTo)\"]") }
    lines += ["  http:", "  - route:"]
    let weight = 100 / max(subsets.count, 1)
    for (index, subset) in subsets.enumerated() {
      let share = index == subsets.count - 1 ? 100 - weight * (subsets.count - 1) : weight
      lines.append("    - destination: {host: \(host), subset: \(subset)}")
      lines.append("      weight: \(share)")
    }
    return lines.joined(separator: "\n")
  }

  /// A clean bookinfo-like mesh: no analyzer has anything to say about it.
  static var base: String {
    [reviewsService, reviewsWorkloads, reviewsRule, reviewsRoute()].joined(separator: "\n---\n")
  }

  static func join(_ documents: String...) -> String { documents.joined(separator: "\n---\n") }

  /// Every message for `yaml`, read as `fairway analyze -f` reads a file.
  static func analyze(_ yaml: String, analyzers: [any Analyzer] = Analyzers.all) throws
    -> [AnalysisMessage]
  {
    var input = AnalysisInput()
    try input.add(Data(yaml.utf8), source: "mesh.yaml")
    return input.analyze(analyzers: analyzers)
  }
}
