import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayTranslate
import Foundation
import Testing

/// Writes the translation of each golden mesh for the interop suite, which decodes every
/// resource with Envoy's own protos and checks it field by field
/// (Tests/interop/test_translation_golden.py). `make test` runs Swift tests first.
///
/// Layout: `.build/fixtures/translate/<mesh>/<proxy>/<type>/<n>.bin` plus `manifest.json`
/// mapping each type to `{resource name: file}` (names contain `|` and `:`); each mesh's YAML
/// goes to `.build/fixtures/meshes/<mesh>.yaml` for the real-Envoy acceptance gate.
@Suite struct GoldenFixtureTests {
  struct Case {
    let mesh: String
    let yaml: String
    let proxies: [(label: String, proxy: Proxy, grpcTargets: Set<String>?)]
  }

  static var shop: Proxy {
    Proxy(
      id: "sidecar~10.0.0.1~frontend.shop~shop.svc.cluster.local", ipAddresses: ["10.0.0.1"],
      namespace: "shop")
  }

  static var shopGRPC: Proxy {
    var proxy = Meshes.grpc
    proxy.namespace = "shop"
    return proxy
  }

  static func cases() throws -> [Case] {
    var cases = [
      Case(
        mesh: "bookinfo", yaml: Meshes.bookinfo,
        proxies: [
          ("envoy", Meshes.envoy, nil),
          ("grpc", Meshes.grpc, ["reviews.default.svc.cluster.local:9080", "ratings:9080"]),
          ("mosn", Meshes.mosn, nil),
          (
            "reviews-v2",
            Proxy(
              id: "sidecar~10.1.0.2~reviews-v2.default~default.svc.cluster.local",
              ipAddresses: ["10.1.0.2"], labels: ["app": "reviews", "version": "v2"]), nil
          ),
        ]),
      Case(
        mesh: "external", yaml: Meshes.external,
        proxies: [
          ("envoy", Meshes.envoy, nil),
          ("grpc", Meshes.grpc, ["httpbin.org:80"]),
        ]),
      Case(
        mesh: "localities", yaml: Meshes.localities,
        proxies: [
          ("envoy", shop, nil),
          ("grpc", shopGRPC, ["catalog:50051"]),
        ]),
    ]
    cases.append(
      Case(
        mesh: "gateway", yaml: Meshes.gateway,
        proxies: [("router", Meshes.ingressGateway, nil), ("envoy", Meshes.envoy, nil)]))
    if let examples = try examplesYAML() {
      cases.append(
        Case(
          mesh: "examples", yaml: examples,
          proxies: [
            ("envoy", Meshes.envoy, nil), ("grpc", Meshes.grpc, nil), ("mosn", Meshes.mosn, nil),
          ]))
    }
    return cases
  }

  /// Every YAML file under Examples/ as one stream, if helper-1's examples exist.
  static func examplesYAML() throws -> String? {
    let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
      .appendingPathComponent("Examples")
    guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
    else { return nil }
    var files: [URL] = []
    for case let url as URL in walker where ["yaml", "yml"].contains(url.pathExtension) {
      files.append(url)
    }
    guard !files.isEmpty else { return nil }
    return try files.sorted { $0.path < $1.path }.map {
      try String(contentsOf: $0, encoding: .utf8)
    }
    .joined(separator: "\n---\n")
  }

  @Test func writeGoldenFixtures() throws {
    let base = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
      .appendingPathComponent(".build/fixtures/translate")
    try? FileManager.default.removeItem(at: base)
    // The meshes themselves too, for the real-Envoy acceptance gate.
    let meshes = base.deletingLastPathComponent().appendingPathComponent("meshes")
    try? FileManager.default.removeItem(at: meshes)
    try FileManager.default.createDirectory(at: meshes, withIntermediateDirectories: true)
    for golden in try Self.cases() {
      try Data(golden.yaml.utf8).write(to: meshes.appendingPathComponent("\(golden.mesh).yaml"))
      let translator = try Meshes.translator(golden.yaml)
      for (label, proxy, targets) in golden.proxies {
        var manifest: [String: [String: String]] = [:]
        for type in [XDSResourceType.cluster, .endpoint, .listener, .route, .dubboRoute] {
          let names: Set<String>? = (type == .listener || type == .route) ? targets : nil
          let set = translator.resources(
            for: proxy, type: type, requestedNames: names.map(ResourceNames.init))
          let directory = base.appendingPathComponent("\(golden.mesh)/\(label)/\(type.shortName)")
          try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
          var files: [String: String] = [:]
          for (position, name) in set.names.enumerated() {
            guard let resource = set[name] else { continue }
            let file = "\(type.shortName)/\(position).bin"
            try Data(resource.bytes).write(to: directory.appendingPathComponent("\(position).bin"))
            files[name] = file
          }
          manifest[type.shortName] = files
          if type == .cluster { #expect(!set.isEmpty, "\(golden.mesh)/\(label)") }
        }
        let data = try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys])
        try data.write(to: base.appendingPathComponent("\(golden.mesh)/\(label)/manifest.json"))
      }
    }
  }
}
