import FairwayAdmin
import FairwayMesh
import FairwayStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Objects a config source owns (`fairway.io/managed-by`, e.g. the Dubbo registry's) are
/// read-only through the admin API: apply, PUT and DELETE answer 403 naming them, and nothing
/// changes.
@Suite struct OwnedObjectTests {
  static let owned = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: dubbo-demo
      namespace: dubbo
      labels: {fairway.io/managed-by: dubbo-zookeeper}
    spec:
      hosts: [org.example.Demo]
      resolution: STATIC
      ports: [{number: 20880, name: tcp-dubbo, protocol: DUBBO}]
      workloadSelector: {labels: {app: demo}}
    """
  static let edit = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: dubbo-demo, namespace: dubbo}
    spec:
      hosts: [hijacked.example]
      resolution: STATIC
      ports: [{number: 20880, name: tcp-dubbo, protocol: DUBBO}]
      workloadSelector: {labels: {app: demo}}
    """

  @Test func ownedObjectsRefuseEveryAdminWrite() async throws {
    let harness = AdminHarness()
    // The source writes straight to the store.
    let parsed = try ConfigParser().parse(Data(Self.owned.utf8))
    try await harness.store.apply(parsed.objects)
    let before = await harness.store.revision
    let path = "/apis/networking.istio.io/v1/namespaces/dubbo/serviceentries/dubbo-demo"
    try await harness.app.test(.router) { client in
      for response in [
        try await client.post("/apply", Self.edit),
        try await client.put(path, Self.edit),
        try await client.execute(uri: path, method: .delete),
        // Claiming the label through the admin API is refused as well.
        try await client.post(
          "/apply", Self.owned.replacingOccurrences(of: "dubbo-demo", with: "spoof")),
      ] {
        #expect(response.status == .forbidden)
        #expect(
          response.json?["error"]?.stringValue?.contains("managed by dubbo-zookeeper") == true)
        let detail = response.json?["details"]?.arrayValue?.first
        #expect(detail?["field"] == .string("metadata.labels.fairway.io/managed-by"))
        #expect(detail?["document"]?.stringValue?.contains("ServiceEntry dubbo/") == true)
      }
      // Objects nobody owns are unaffected.
      let plain = try await client.post(
        "/apply", Self.edit.replacingOccurrences(of: "dubbo-demo", with: "mine"))
      #expect(plain.status == .ok)
    }
    #expect(await harness.store.revision == before + 1)
    let stored = await harness.store.get(
      ConfigKey(kind: .serviceEntry, namespace: "dubbo", name: "dubbo-demo"))
    #expect(stored?.metadata.managedBy == "dubbo-zookeeper")
    #expect(
      await harness.store.get(ConfigKey(kind: .serviceEntry, namespace: "dubbo", name: "spoof"))
        == nil)
  }
}
