import FairwayMesh
import Foundation
import Testing

@Suite struct RoundTripTests {
  let parser = ConfigParser()

  func parseOne(_ yaml: String) throws -> ConfigObject {
    let parsed = try parser.parse(Data(yaml.utf8), format: .yaml)
    #expect(parsed.objects.count == 1)
    return try #require(parsed.objects.first)
  }

  @Test(arguments: Fixtures.all)
  func typedModelKeepsEveryField(yaml: String) throws {
    let parsed = try parser.parse(Data(yaml.utf8), format: .yaml)
    #expect(parsed.warnings.isEmpty, "model dropped fields: \(parsed.warnings)")
    let object = try #require(parsed.objects.first)
    // The typed view, encoded back, equals what the user wrote: the model covers it all.
    #expect(try object.spec.encodedJSON() == object.rawSpec)
  }

  @Test(arguments: Fixtures.all)
  func yamlToModelToJSONAndBack(yaml: String) throws {
    let object = try parseOne(yaml)
    let source = try #require(try parser.parseDocuments(Data(yaml.utf8), format: .yaml).first)
    let json = object.jsonString()
    let reparsed = try JSONValue.parse(json: Data(json.utf8))
    // Nothing lost: spec and user metadata come back exactly; apiVersion is normalised to v1.
    #expect(reparsed["spec"] == source["spec"])
    #expect(reparsed["kind"] == source["kind"])
    #expect(reparsed["apiVersion"] == .string("networking.istio.io/v1"))
    #expect(reparsed["metadata"]?["name"] == source["metadata"]?["name"])
    #expect(reparsed["metadata"]?["labels"] == source["metadata"]?["labels"])
    #expect(reparsed["metadata"]?["annotations"] == source["metadata"]?["annotations"])
    let again = try #require(try parser.parse(Data(json.utf8), format: .json).objects.first)
    #expect(again.spec == object.spec)
    #expect(again.rawSpec == object.rawSpec)
    #expect(again.key == object.key)
  }

  @Test(arguments: Fixtures.all)
  func yamlOutputReadsBackTheSame(yaml: String) throws {
    let object = try parseOne(yaml)
    let again = try parseOne(object.yamlString())
    #expect(again.rawSpec == object.rawSpec)
    #expect(again.spec == object.spec)
    #expect(again.metadata.labels == object.metadata.labels)
  }

  @Test func typedValuesAreRight() throws {
    let vs = try parseOne(Fixtures.reviewsVirtualService)
    guard case .virtualService(let spec) = vs.spec else {
      Issue.record("wrong kind")
      return
    }
    #expect(vs.key == ConfigKey(kind: .virtualService, namespace: "bookinfo", name: "reviews"))
    #expect(spec.http?[0].match?[0].headers?["end-user"]?.exact == "jason")
    #expect(spec.http?[1].route?.map(\.weight) == [50, 50])
    #expect(spec.http?[1].route?[1].destination?.port?.number == 9080)
    #expect(spec.http?[1].timeout == IstioDuration(seconds: 10))

    let httpbin = try parseOne(Fixtures.httpbinVirtualService)
    #expect(httpbin.key.namespace == "default")
    #expect(httpbin.apiVersion == "networking.istio.io/v1beta1")
    guard case .virtualService(let bin) = httpbin.spec else { return }
    #expect(bin.http?[0].fault?.delay?.fixedDelay?.seconds == 5)
    #expect(bin.http?[0].fault?.delay?.percentage?.value == 10.5)
    #expect(bin.http?[0].retries?.attempts == 3)
    #expect(bin.http?[0].timeout == IstioDuration(seconds: 1, nanos: 500_000_000))
    #expect(bin.http?[0].match?[0].queryParams?["debug"]?.exact == "true")

    let se = try parseOne(Fixtures.staticServiceEntry)
    guard case .serviceEntry(let entry) = se.spec else { return }
    #expect(entry.endpoints?[0].locality == "us-east1/us-east1-b")
    #expect(entry.endpoints?[0].weight == 3)
    #expect(entry.ports?[0].targetPort == 8080)

    let we = try parseOne(Fixtures.workloadEntry)
    guard case .workloadEntry(let workload) = we.spec else { return }
    #expect(workload.ports == ["http": 9080])
    #expect(workload.locality == "us-west1/us-west1-a/rack-7")
  }

  @Test func unknownFieldsAreKeptAndReported() throws {
    let yaml = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: future}
      spec:
        hosts: [future]
        futureTopLevel: {a: [1, 2.5, null, true]}
        http:
        - route:
          - destination: {host: future}
            futureWeightMode: fancy
      """
    let parsed = try parser.parse(Data(yaml.utf8))
    let object = try #require(parsed.objects.first)
    #expect(
      parsed.warnings.map(\.fieldPath) == [
        "spec.futureTopLevel", "spec.http[0].route[0].futureWeightMode",
      ])
    let json = try JSONValue.parse(json: Data(object.jsonString().utf8))
    #expect(
      json["spec"]?["futureTopLevel"]?["a"] == .array([.int(1), .double(2.5), .null, .bool(true)]))
    #expect(
      json["spec"]?["http"]?.arrayValue?[0]["route"]?.arrayValue?[0]["futureWeightMode"]
        == .string("fancy"))
  }

  @Test func allAPIVersionsAreOneKind() throws {
    for version in ["v1", "v1beta1", "v1alpha3"] {
      let yaml =
        "apiVersion: networking.istio.io/\(version)\nkind: WorkloadEntry\nmetadata: {name: w}\nspec: {address: 1.2.3.4}\n"
      let object = try parseOne(yaml)
      #expect(object.key.kind == .workloadEntry)
      #expect(object.jsonValue["apiVersion"] == .string("networking.istio.io/v1"))
    }
  }

  @Test func jsonBodies() throws {
    let single =
      #"{"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry","metadata":{"name":"a"},"spec":{"address":"1.1.1.1"}}"#
    #expect(try parser.parse(Data(single.utf8)).objects.count == 1)
    let array = "[\(single), \(single.replacingOccurrences(of: "\"a\"", with: "\"b\""))]"
    #expect(try parser.parse(Data(array.utf8)).objects.map(\.key.name) == ["a", "b"])
    let list = #"{"apiVersion":"v1","kind":"List","items":[\#(single)]}"#
    #expect(try parser.parse(Data(list.utf8), format: .json).objects.count == 1)
    let yamlList = "apiVersion: v1\nkind: List\nitems:\n- \(single)\n"
    #expect(try parser.parse(Data(yamlList.utf8), format: .yaml).objects.count == 1)
  }

  @Test func multiDocumentYAMLSkipsEmptyDocuments() throws {
    let yaml =
      "---\n" + Fixtures.workloadEntry + "\n---\n# just a comment\n---\n"
      + Fixtures.externalServiceEntry + "\n---\n"
    let parsed = try parser.parse(Data(yaml.utf8))
    #expect(parsed.objects.map(\.key.kind) == [.workloadEntry, .serviceEntry])
  }

  @Test func quotedScalarsStayStrings() throws {
    let yaml = """
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata:
        name: quoted
        labels: {flag: "true", port: "8080", empty: "", date: 2024-01-01}
      spec: {address: 10.0.0.1}
      """
    let object = try parseOne(yaml)
    #expect(
      object.metadata.labels == ["flag": "true", "port": "8080", "empty": "", "date": "2024-01-01"])
    let again = try parseOne(object.yamlString())
    #expect(again.metadata.labels == object.metadata.labels)
  }

  @Test func snapshotGroupsByKind() throws {
    let objects = try Fixtures.all.map(parseOne)
    let snapshot = MeshSnapshot(revision: 7, objects: objects.reversed())
    #expect(snapshot.objects.map(\.key) == objects.map(\.key).sorted())
    // Namespace bookinfo sorts before default.
    #expect(snapshot.virtualServices.map(\.name) == ["reviews", "httpbin"])
    #expect(snapshot.destinationRules.count == 1)
    #expect(snapshot.serviceEntries.map(\.name) == ["details-vms", "httpbin-ext"])
    #expect(snapshot.workloadEntries.first?.spec.weight == 2)
    #expect(snapshot[objects[0].key] == objects[0])
  }
}
