import FairwayMesh
import Foundation
import Testing

@Suite struct ValidatorTests {
  let parser = ConfigParser()

  func issues(_ yaml: String) -> [ValidationIssue] {
    do {
      _ = try parser.parse(Data(yaml.utf8))
      return []
    } catch let error as ConfigValidationError {
      return error.issues
    } catch {
      Issue.record("unexpected error \(error)")
      return []
    }
  }

  @Test(arguments: Fixtures.all)
  func fixturesAreValid(yaml: String) {
    #expect(issues(yaml).isEmpty)
  }

  @Test func weightsMustSumTo100() {
    let found = issues(
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: reviews}
      spec:
        hosts: [reviews]
        http:
        - route:
          - destination: {host: reviews, subset: v1}
            weight: 60
          - destination: {host: reviews, subset: v2}
            weight: 30
      """)
    #expect(found.map(\.fieldPath) == ["spec.http[0].route"])
    #expect(found.first?.message.contains("90") == true)
    #expect(found.first?.document == "VirtualService default/reviews")
  }

  @Test func everyProblemInEveryDocumentIsListed() {
    let found = issues(
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: dr}
      spec:
        host: reviews
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v1, labels: {version: v2}}
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: Bad_Name, namespace: bookinfo}
      spec:
        hosts: [1.2.3.4]
        resolution: DNS
        ports: [{number: 70000, name: http}]
      """)
    let paths = Set(found.map(\.fieldPath))
    #expect(paths.contains("spec.subsets[1].name"))
    #expect(paths.contains("metadata.name"))
    #expect(found.contains { $0.document == "document 2" || $0.document.hasPrefix("ServiceEntry") })
  }

  @Test func serviceEntryRules() {
    let found = issues(
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: se}
      spec:
        hosts: [1.2.3.4]
        resolution: DNS
        ports: [{number: 70000, name: http}]
      """)
    #expect(Set(found.map(\.fieldPath)) == ["spec.hosts[0]", "spec.ports[0].number"])
  }

  @Test func badMetadataStillReportsSpecProblems() {
    let found = issues(
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: Bad_Name}
      spec:
        hosts: [a]
        http:
        - route:
          - destination: {subset: v1}
      """)
    #expect(
      Set(found.map(\.fieldPath)) == ["metadata.name", "spec.http[0].route[0].destination.host"])
  }

  /// A VirtualService without hosts is a delegate: valid with http routes only, one level
  /// deep; a root's `delegate` needs a name.
  @Test func delegateVirtualServiceRules() {
    let valid = issues(
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: web-a, namespace: front}
      spec:
        http:
        - match: [{uri: {prefix: /a/v2}}]
          route: [{destination: {host: web}}]
      """)
    #expect(valid.isEmpty, "\(valid.map(\.message))")
    let found = issues(
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: web-a, namespace: front}
      spec:
        gateways: [gw]
        tcp: [{route: [{destination: {host: web}}]}]
        http:
        - delegate: {name: deeper}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: web, namespace: front}
      spec:
        hosts: [web]
        http:
        - match: [{uri: {prefix: /a}}]
          delegate: {namespace: front}
      """)
    #expect(
      Set(found.map(\.fieldPath)) == [
        "spec.gateways", "spec.tcp", "spec.http[0].delegate", "spec.http[0].delegate.name",
      ])
  }
}
