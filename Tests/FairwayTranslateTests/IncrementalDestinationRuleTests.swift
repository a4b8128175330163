import FairwayMesh
import FairwayTranslate
import Foundation
import Testing

/// A DestinationRule-only change patches the previous translation's rule lookup and the EDS
/// clusters of the services whose rule changed; everything it then builds must equal a
/// translation built from scratch.
@Suite struct IncrementalDestinationRuleTests {
  static func rule(
    _ name: String, host: String, namespace: String = "default",
    subsets: [String] = ["v1", "v2"], trafficPolicy: String? = nil
  ) -> String {
    let subsetList = subsets.map { "{name: \($0), labels: {version: \($0)}}" }
      .joined(separator: ", ")
    return """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: \(name), namespace: \(namespace)}
      spec:
        host: \(host)
        subsets: [\(subsetList)]
      """ + (trafficPolicy.map { "\n  trafficPolicy: \($0)" } ?? "")
  }

  static let routeToSubsets = """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: a, namespace: default}
    spec:
      hosts: [a]
      http:
      - route:
        - {destination: {host: a, subset: v1}, weight: 70}
        - {destination: {host: a, subset: v2}, weight: 30}
    """

  /// Rules by name; the ServiceEntries and workloads stay as in `IncrementalIndexTests`.
  static let base: [String: String] = [
    "a": rule("a", host: "a"),
    "b": rule("b", host: "b"),
    "c": rule("c", host: "c"),
    "d": rule("d", host: "d"),
  ]

  static func mesh(_ rules: [String: String]) -> String {
    // `IncrementalIndexTests.service` writes a rule after each ServiceEntry: keep the entry.
    let entries =
      ["a", "b", "c"].map { IncrementalIndexTests.service($0) }
      + [IncrementalIndexTests.service("d", resolution: "DNS")]
    return
      (entries.compactMap { $0.components(separatedBy: "\n---\n").first }
      + IncrementalIndexTests.base.keys.sorted().compactMap { IncrementalIndexTests.base[$0] }
      + [routeToSubsets]
      + rules.keys.sorted().compactMap { rules[$0] })
      .joined(separator: "\n---\n")
  }

  /// Applies `edit` to the base rules and checks the patched translation against a fresh one.
  func check(from base: [String: String] = Self.base, _ edit: (inout [String: String]) -> Void)
    throws
  {
    let (after, names) = IncrementalIndexTests.applying(edit, to: base)
    let changed = Self.keys(names)
    #expect(TranslationPatch.kind(of: changed) == .destinationRule)
    try IncrementalIndexTests.expectPatchMatchesFresh(
      before: Self.mesh(base), after: Self.mesh(after), changed: changed)
  }

  static func keys(_ names: [String]) -> Set<ConfigKey> {
    Set(
      names.map { name in
        // A rule named `ns/name` lives in namespace `ns`.
        let parts = name.split(separator: "/").map(String.init)
        return ConfigKey(
          kind: .destinationRule, namespace: parts.count == 2 ? parts[0] : "default",
          name: parts.last ?? name)
      })
  }

  static func wildcard(_ name: String, pattern: String, subsets: [String]) -> String {
    rule(name, host: "\"\(pattern)\"", subsets: subsets)
  }

  @Test func addedSubset() throws {
    try check { $0["a"] = Self.rule("a", host: "a", subsets: ["v1", "v2", "v3"]) }
  }

  @Test func removedSubsetStillRoutedTo() throws {
    try check { $0["a"] = Self.rule("a", host: "a", subsets: ["v1"]) }
  }

  @Test func deletedRule() throws {
    try check { $0["b"] = nil }
  }

  @Test func trafficPolicyOnly() throws {
    try check {
      $0["b"] = Self.rule(
        "b", host: "b", trafficPolicy: "{connectionPool: {tcp: {maxConnections: 7}}}")
    }
  }

  @Test func consistentHashReachesRoutes() throws {
    try check {
      $0["a"] = Self.rule(
        "a", host: "a", trafficPolicy: "{loadBalancer: {consistentHash: {httpHeaderName: x-user}}}")
    }
  }

  @Test func wildcardTakesOverWhenExactRuleGoes() throws {
    var base = Self.base
    base["any"] = Self.rule("any", host: "\"*.default.svc.cluster.local\"", subsets: ["v2"])
    try check(from: base) { $0["c"] = nil }
  }

  @Test func ruleOfAnotherNamespaceTakesOver() throws {
    // The service's own namespace wins; once its rule goes, the other namespace's applies.
    var base = Self.base
    base["other/a"] = Self.rule(
      "a", host: "a.default.svc.cluster.local", namespace: "other", subsets: ["v3"])
    try check(from: base) { $0["a"] = nil }
  }

  @Test func newRuleSortingFirstWinsTheHost() throws {
    // Two rules for one host in one namespace: the first by key wins, as in a snapshot.
    try check { $0["0-a"] = Self.rule("0-a", host: "a", subsets: ["v2"]) }
  }

  @Test func ruleOfDNSService() throws {
    try check {
      $0["d"] = Self.rule(
        "d", host: "d", subsets: ["v9"], trafficPolicy: "{loadBalancer: {simple: RANDOM}}")
    }
  }

  @Test func ruleForUnknownHostChangesNothing() throws {
    try check { $0["nowhere"] = Self.rule("nowhere", host: "nowhere.example.com") }
  }

  @Test func addedWildcardReachesOnlyHostsWithoutAnExactRule() throws {
    var base = Self.base
    base["c"] = nil
    try check(from: base) {
      $0["any"] = Self.wildcard("any", pattern: "*.default.svc.cluster.local", subsets: ["v3"])
    }
  }

  @Test func longerWildcardBeatsShorter() throws {
    var base = Self.base
    base["b"] = nil
    base["all"] = Self.wildcard("all", pattern: "*.cluster.local", subsets: ["v1"])
    try check(from: base) {
      $0["svc"] = Self.wildcard("svc", pattern: "*.svc.cluster.local", subsets: ["v2", "v3"])
    }
  }

  @Test func chainOfEditsOverWildcardsAndExactHosts() throws {
    let pool: [(name: String, document: String?)] = [
      ("c", nil),
      ("any", Self.wildcard("any", pattern: "*.default.svc.cluster.local", subsets: ["v3"])),
      ("a", Self.rule("a", host: "a", subsets: ["v1"])),
      ("all", Self.wildcard("all", pattern: "*.cluster.local", subsets: ["v1"])),
      ("b", nil),
      ("other/a", Self.rule("a", host: "a.default.svc.cluster.local", namespace: "other")),
      ("any", nil),
      ("c", Self.rule("c", host: "c", subsets: ["v2"])),
      ("a", nil),
      ("all", Self.wildcard("all", pattern: "*.cluster.local", subsets: ["v9"])),
      ("0-d", Self.rule("0-d", host: "d", subsets: ["v4"])),
      ("b", Self.rule("b", host: "b", trafficPolicy: "{loadBalancer: {simple: RANDOM}}")),
      ("other/a", nil),
    ]
    try IncrementalIndexTests.expectChainMatchesFresh(
      from: Self.base, IncrementalIndexTests.walk(pool), mesh: Self.mesh, keys: Self.keys)
  }
}
