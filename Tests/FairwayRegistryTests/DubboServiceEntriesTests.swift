import FairwayMesh
import Testing

@testable import FairwayRegistry

@Suite struct DubboServiceEntriesTests {
  static let interface = "org.apache.dubbo.demo.DemoService"

  func provider(_ ip: String, _ port: Int, _ query: String = "") throws -> DubboProviderURL {
    try DubboProviderURL.parse(
      encodedNode(
        "dubbo://\(ip):\(port)/\(Self.interface)?interface=\(Self.interface)&side=provider\(query)")
    )
  }

  func objects(_ providers: [DubboProviderURL]) throws -> [ConfigObject] {
    let documents = DubboServiceEntries.documents(
      interface: Self.interface, providers: providers, namespace: "dubbo")
    return try ConfigParser().objects(from: documents).objects
  }

  @Test func oneServiceEntrySelectingOneWorkloadEntryPerProvider() throws {
    let objects = try objects([
      try provider("10.0.0.2", 20881, "&version=2.0.0&methods=a,b&weight=30&application=demo"),
      try provider("10.0.0.1", 20880, "&version=1.0.0&group=blue"),
    ])
    #expect(objects.map(\.kind) == [.serviceEntry, .workloadEntry, .workloadEntry])
    let entry = try #require(objects.first)
    guard case .serviceEntry(let spec) = entry.spec else {
      Issue.record("not a ServiceEntry")
      return
    }
    // The host is the interface as registered (Envoy matches calls on it), case kept.
    #expect(spec.hosts == [Self.interface])
    #expect(spec.resolution == "STATIC")
    #expect(spec.location == "MESH_INTERNAL")
    #expect(spec.ports == [ServicePort(number: 20880, protocol: "DUBBO", name: "tcp-dubbo")])
    let selector = try #require(spec.workloadSelector?.labels)
    #expect(entry.metadata.managedBy == "dubbo-zookeeper")
    #expect(entry.metadata.annotations[DubboServiceEntries.interfaceAnnotation] == Self.interface)
    #expect(entry.namespace == "dubbo")

    var endpoints: [String: WorkloadEntry] = [:]
    for object in objects.dropFirst() {
      #expect(object.metadata.managedBy == "dubbo-zookeeper")
      guard case .workloadEntry(let workload) = object.spec else {
        Issue.record("not a WorkloadEntry")
        return
      }
      endpoints[workload.address ?? ""] = workload
      for (key, value) in selector { #expect(workload.labels?[key] == value) }
    }
    let first = try #require(endpoints["10.0.0.1"])
    #expect(first.ports == ["tcp-dubbo": 20880])
    #expect(first.weight == 100)  // Dubbo's default
    #expect(first.labels?["version"] == "1.0.0")
    #expect(first.labels?["group"] == "blue")
    let second = try #require(endpoints["10.0.0.2"])
    #expect(second.ports == ["tcp-dubbo": 20881])  // its own port, not dropped
    #expect(second.weight == 30)
    #expect(second.labels?["methods"] == "a-b")
    #expect(second.labels?["application"] == "demo")
    #expect(second.labels?["interface"] == Self.interface)
  }

  @Test func reRegistrationsOfOneAddressAreOneEndpointTheLatestWins() throws {
    let objects = try objects([
      try provider("10.0.0.1", 20880, "&timestamp=2000&version=2"),
      try provider("10.0.0.1", 20880, "&timestamp=1000&version=1"),
      try provider("10.0.0.3", 20880, "&weight=0"),  // weight 0: takes no calls
    ])
    #expect(objects.count == 2)
    guard case .workloadEntry(let workload) = objects[1].spec else {
      Issue.record("not a WorkloadEntry")
      return
    }
    #expect(workload.labels?["version"] == "2")
  }

  @Test func noUsableProviderMeansNoObjects() throws {
    #expect(try objects([]).isEmpty)
    #expect(try objects([try provider("10.0.0.3", 20880, "&weight=0")]).isEmpty)
  }

  @Test func parametersThatAreNotLabelsAreDropped() throws {
    let provider = try provider(
      "10.0.0.1", 20880,
      "&bad%20key=x&long=\(String(repeating: "m", count: 70))&path=/a&ok=yes&fairway.io/dubbo-service=spoof"
    )
    let labels = DubboServiceEntries.endpointLabels(provider)
    #expect(labels["ok"] == "yes")
    #expect(labels["bad key"] == nil && labels["long"] == nil && labels["path"] == nil)
    #expect(labels[DubboServiceEntries.serviceLabel] == nil)
  }

  @Test func namesAreValidAndDistinctPerInterface() throws {
    let a = DubboServiceEntries.serviceEntryName("com.Example.Greeter")
    let b = DubboServiceEntries.serviceEntryName("com.example.greeter")
    #expect(a != b)
    #expect(a.hasPrefix("dubbo-com.example.greeter-"))
    #expect(DubboServiceEntries.selectorValue("x").count == 16)
    #expect(DubboServiceEntries.selectorValue("x") == DubboServiceEntries.selectorValue("x"))
  }

  @Test func stateTracksChangedInterfacesAndReportsBadNodesOnce() throws {
    var state = DubboRegistryState()
    let good = encodedNode("dubbo://10.0.0.1:20880/a.B?side=provider")
    let bad = encodedNode("dubbo://host:1/a.B")
    let other = encodedNode("dubbo://10.0.0.1:20880/c.D")
    let first = state.replaceAll(["a.B": [good, bad, other]])
    #expect(first.map(\.node).sorted() == [bad, other].sorted())
    #expect(state.synced)
    #expect(state.takeDirty().mapValues(\.count) == ["a.B": 1])
    // The same listing again: nothing changed, nothing reported.
    #expect(state.setProviders("a.B", nodes: [other, bad, good]).isEmpty)
    #expect(state.takeDirty().isEmpty)
    #expect(state.setProviders("a.B", nodes: [bad]).isEmpty)
    #expect(state.takeDirty().mapValues(\.count) == ["a.B": 0])
    _ = state.replaceAll([:])
    #expect(state.takeDirty().mapValues(\.count) == ["a.B": 0])
    #expect(state.interfaces.isEmpty)
  }

  @Test func providersPathsName() {
    #expect(
      DubboRegistry.interface(ofProvidersPath: "/dubbo/a.B/providers", root: "/dubbo") == "a.B")
    #expect(DubboRegistry.interface(ofProvidersPath: "/dubbo/a.B/consumers", root: "/dubbo") == nil)
    #expect(DubboRegistry.interface(ofProvidersPath: "/dubbo/providers", root: "/dubbo") == nil)
    #expect(DubboRegistry.interface(ofProvidersPath: "/dubbo/a/b/providers", root: "/dubbo") == nil)
  }
}
