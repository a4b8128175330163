import FairwayMesh
import Foundation
import Testing

@testable import FairwayStore

/// A VirtualService on a Dubbo service may only use what Dubbo routing can express; the store
/// refuses the batch (naming each field) and changes nothing.
@Suite struct DubboRouteRulesTests {
  static func objects(_ yaml: String) throws -> [ConfigObject] {
    try ConfigParser().parse(Data(yaml.utf8), format: .yaml).objects
  }

  static let dubboService = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: demo, namespace: dubbo}
    spec:
      hosts: [mosn.io.dubbo.DemoService]
      resolution: STATIC
      ports: [{number: 20880, name: tcp-dubbo, protocol: TCP}]
      endpoints: [{address: 10.0.0.11}]
    """

  static func virtualService(_ http: String) -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: demo, namespace: dubbo}
    spec:
      hosts: [mosn.io.dubbo.DemoService]
      http:
    \(http)
    """
  }

  static let httpOnly = virtualService(
    """
      - match: [{uri: {prefix: /api}, method: {exact: sayHello}}]
        redirect: {uri: /v2}
      - route: [{destination: {host: mosn.io.dubbo.DemoService}}]
        rewrite: {uri: /}
        mirror: {host: mosn.io.dubbo.DemoService}
    """)

  func rejection(_ store: InMemoryConfigStore, _ yaml: String) throws -> [ValidationIssue] {
    do {
      try store.apply(try Self.objects(yaml))
    } catch let error as ConfigValidationError {
      return error.issues
    }
    Issue.record("applied without error")
    return []
  }

  @Test func httpOnlyFieldsOnADubboHostAreRefusedByField() throws {
    let store = InMemoryConfigStore()
    try store.apply(try Self.objects(Self.dubboService))
    let issues = try rejection(store, Self.httpOnly)
    #expect(
      issues.map(\.fieldPath) == [
        "spec.http[0].match[0].uri", "spec.http[0].redirect", "spec.http[1].rewrite",
        "spec.http[1].mirror",
      ])
    #expect(issues.allSatisfy { $0.document == "VirtualService dubbo/demo" })
    #expect(issues[0].message.contains("Dubbo service mosn.io.dubbo.DemoService"))
    #expect(issues[0].message.contains("method"))
    #expect(store.revision == 1)
    #expect(store.count == 1)
  }

  @Test func sameBatchServiceEntryCounts() throws {
    let store = InMemoryConfigStore()
    let issues = try rejection(store, Self.dubboService + "\n---\n" + Self.httpOnly)
    #expect(issues.count == 4)
    #expect(store.revision == 0)
  }

  @Test func aServiceEntryThatMakesAHostDubboIsRefusedToo() throws {
    let store = InMemoryConfigStore()
    try store.apply(try Self.objects(Self.httpOnly))
    let issues = try rejection(store, Self.dubboService)
    #expect(issues.first?.document == "VirtualService dubbo/demo")
    #expect(store.revision == 1)
  }

  @Test func dubboRoutingIsAccepted() throws {
    let store = InMemoryConfigStore()
    try store.apply(
      try Self.objects(
        Self.dubboService + "\n---\n"
          + Self.virtualService(
            """
              - match: [{method: {exact: sayHello}, headers: {x-user-tag: {exact: canary}}}]
                route: [{destination: {host: mosn.io.dubbo.DemoService}}]
                timeout: 2s
                retries: {attempts: 2}
            """)))
    #expect(store.revision == 2)
  }

  @Test func httpHostsAreUntouched() throws {
    let store = InMemoryConfigStore()
    try store.apply(
      try Self.objects(
        Self.dubboService + "\n---\n"
          + Self.httpOnly.replacingOccurrences(
            of: "mosn.io.dubbo.DemoService", with: "web.example.com")))
    #expect(store.revision == 2)
  }
}
