import FairwayProto
import FairwayResources
import FairwayTranslate
import Foundation
import PropertyBased
import SwiftProtobuf
import Testing

@testable import FairwayXDS

/// Mangled DiscoveryRequests and DeltaDiscoveryRequests, in any order, never crash a stream's
/// state machine, and every response it then produces decodes with the generated messages.
@Suite struct DiscoveryRequestFuzzTests {
  static let types = XDSResourceType.allCases

  static func sotwSeed(_ index: Int) -> [UInt8] {
    var request = Envoy_Service_Discovery_V3_DiscoveryRequest()
    request.typeURL = types[index % types.count].typeURL
    request.resourceNames =
      index % 2 == 0 ? [] : ["a", "*", "outbound|80||b.default.svc.cluster.local"]
    request.responseNonce = index % 3 == 0 ? "" : String(index % 4)
    request.versionInfo = "v\(index)"
    request.node.id = "sidecar~10.0.0.\(index)~p.ns~ns.svc.cluster.local"
    request.node.metadata.fields["GENERATOR"] = .init(stringValue: index % 2 == 0 ? "grpc" : "")
    if index % 5 == 0 { request.errorDetail.message = "rejected" }
    return (try? request.serializedBytes()) ?? []
  }

  static func deltaSeed(_ index: Int) -> [UInt8] {
    var request = Envoy_Service_Discovery_V3_DeltaDiscoveryRequest()
    request.typeURL = types[index % types.count].typeURL
    request.resourceNamesSubscribe = index % 2 == 0 ? ["a", "*"] : []
    request.resourceNamesUnsubscribe = index % 3 == 0 ? ["a"] : []
    request.initialResourceVersions = index % 4 == 0 ? ["a": "1", "b": "2"] : [:]
    request.responseNonce = index % 3 == 0 ? "" : String(index % 4)
    if index % 5 == 0 { request.errorDetail.message = "rejected" }
    return (try? request.serializedBytes()) ?? []
  }

  static func available(_ type: XDSResourceType) -> ResourceSet {
    ResourceSet(
      type: type,
      resources: ["a", "b", "outbound|80||b.default.svc.cluster.local"].map {
        EncodedResource(name: $0, type: type, bytes: Array($0.utf8))
      })
  }

  @Test func mangledRequestsNeverCrashAStream() async {
    await propertyCheck(
      count: FuzzSettings.count,
      input: Gen.int(in: 0...1_000_000).array(of: 0...6).array(of: 1...8)
    ) { scripts in
      var sotw = SotWStreamState(controlPlaneIdentifier: "fuzz")
      var delta = DeltaStreamState(controlPlaneIdentifier: "fuzz")
      let now = Date()
      for (index, script) in scripts.enumerated() {
        let sotwBytes = Mutator.apply(script, to: Self.sotwSeed(index + script.count))
        if let request = try? Envoy_Service_Discovery_V3_DiscoveryRequest(
          serializedBytes: sotwBytes)
        {
          _ = Proxy(node: request.node)
          let outcome = sotw.receive(request, now: now)
          if let type = outcome.type,
            let out = sotw.response(
              for: type, available: Self.available(type), force: outcome.respond, limit: nil,
              now: now)
          {
            #expect(
              (try? Envoy_Service_Discovery_V3_DiscoveryResponse(serializedBytes: out.message.bytes))
                != nil)
          }
        }
        let deltaBytes = Mutator.apply(script, to: Self.deltaSeed(index + script.count))
        if let request = try? Envoy_Service_Discovery_V3_DeltaDiscoveryRequest(
          serializedBytes: deltaBytes)
        {
          let outcome = delta.receive(request, now: now)
          if let type = outcome.type,
            let out = delta.response(
              for: type, available: Self.available(type), force: false, limit: nil, now: now)
          {
            #expect(
              (try? Envoy_Service_Discovery_V3_DeltaDiscoveryResponse(
                serializedBytes: out.message.bytes)) != nil)
          }
        }
      }
    }
  }
}
