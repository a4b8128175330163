import FairwayMesh
import FairwayResources
import FairwayStore
import FairwayTranslate
import Foundation
import PropertyBased
import Testing

/// Whatever bytes arrive at `/apply`, decoding either yields valid objects or throws one of
/// the two errors the admin API turns into 400/422; and what it accepts can be stored,
/// encoded back and translated without a crash.
@Suite struct ConfigDecodingFuzzTests {
  static let corpus: [String] = [
    """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: reviews, namespace: default}
    spec:
      hosts: [reviews.default.svc.cluster.local]
      http:
      - match: [{headers: {end-user: {exact: jason}}, uri: {prefix: /api}}]
        route: [{destination: {host: reviews.default.svc.cluster.local, subset: v2}}]
        fault: {delay: {fixedDelay: 1.5s, percentage: {value: 10}}}
      - route:
        - {destination: {host: reviews.default.svc.cluster.local, subset: v1}, weight: 80}
        - {destination: {host: reviews.default.svc.cluster.local, subset: v3}, weight: 20}
        retries: {attempts: 3, perTryTimeout: 2s, retryOn: "5xx,reset"}
        timeout: 10s
    """,
    """
    apiVersion: networking.istio.io/v1beta1
    kind: DestinationRule
    metadata: {name: reviews, namespace: default}
    spec:
      host: reviews.default.svc.cluster.local
      trafficPolicy:
        loadBalancer: {consistentHash: {httpHeaderName: x-user}}
        connectionPool: {tcp: {maxConnections: 100, connectTimeout: 30ms}, http: {http1MaxPendingRequests: 10}}
        outlierDetection: {consecutive5xxErrors: 7, interval: 5m, baseEjectionTime: 15m}
      subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
    """,
    """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: reviews, namespace: default}
    spec:
      hosts: [reviews.default.svc.cluster.local]
      resolution: STATIC
      ports: [{number: 9080, name: http, protocol: HTTP, targetPort: 8080}]
      endpoints: [{address: 10.0.0.1, labels: {version: v1}, locality: us/east/a, weight: 3}]
      workloadSelector: {labels: {app: reviews}}
    ---
    apiVersion: networking.istio.io/v1
    kind: WorkloadEntry
    metadata: {name: reviews-2, namespace: default}
    spec: {address: 10.0.0.2, labels: {app: reviews, version: v2}, ports: {http: 8081}}
    """,
    """
    {"apiVersion": "networking.istio.io/v1", "kind": "List", "items": [
      {"apiVersion": "networking.istio.io/v1", "kind": "ServiceEntry",
       "metadata": {"name": "httpbin", "namespace": "default"},
       "spec": {"hosts": ["httpbin.org"], "resolution": "DNS",
                "ports": [{"number": 80, "name": "http", "protocol": "HTTP"}]}}]}
    """,
  ]

  @Test func mutatedDocumentsDecodeOrFailCleanly() async {
    await propertyCheck(
      count: FuzzSettings.count,
      input: Gen.int(in: 0...(Self.corpus.count - 1)), Gen.int(in: 0...1_000_000).array(of: 0...10)
    ) { index, script in
      let bytes = Mutator.apply(script, to: Array(Self.corpus[index].utf8))
      Self.check(bytes)
    }
  }

  @Test func randomBytesDecodeOrFailCleanly() async {
    await propertyCheck(
      count: FuzzSettings.count, input: Gen.int(in: 0...255).array(of: 0...200)
    ) { values in
      Self.check(values.map { UInt8(truncatingIfNeeded: $0) })
    }
  }

  static func check(_ bytes: [UInt8]) {
    let parsed: ParsedConfigs
    do {
      parsed = try ConfigParser().parse(Data(bytes), format: .auto)
    } catch is ConfigParseError {
      return
    } catch is ConfigValidationError {
      return
    } catch {
      Issue.record("unexpected error \(type(of: error)): \(error)")
      return
    }
    for object in parsed.objects {
      _ = object.jsonString()
      _ = object.yamlString()
    }
    let store = InMemoryConfigStore()
    guard (try? store.apply(parsed.objects)) != nil else { return }
    let translator = MeshTranslator(snapshot: store.snapshot())
    for client in [Proxy.Client.envoy, .grpc, .mosn] {
      let proxy = Proxy(id: "fuzz", client: client, ipAddresses: ["10.0.0.1"])
      for type in XDSResourceType.allCases {
        _ = translator.resources(for: proxy, type: type, requestedNames: nil)
      }
    }
  }
}
