import FairwayProto
import FairwayResources
import FairwayTranslate
import SwiftProtobuf
import Testing

@Suite struct ProxyNodeTests {
  func node(id: String, metadata: [String: Google_Protobuf_Value] = [:], agent: String = "")
    -> Envoy_Config_Core_V3_Node
  {
    var node = Envoy_Config_Core_V3_Node()
    node.id = id
    node.metadata = Google_Protobuf_Struct(fields: metadata)
    node.userAgentName = agent
    return node
  }

  @Test func parsesAnIstioSidecarId() {
    let proxy = Proxy(
      node: node(
        id: "sidecar~10.0.0.1~reviews-v1-abc.bookinfo~bookinfo.svc.cluster.local",
        metadata: [
          "LABELS": Google_Protobuf_Value(
            structValue: Google_Protobuf_Struct(fields: [
              "app": Google_Protobuf_Value(stringValue: "reviews"),
              "version": Google_Protobuf_Value(stringValue: "v1"),
            ])),
          "ISTIO_VERSION": Google_Protobuf_Value(stringValue: "1.24.0"),
          "CLUSTER_ID": Google_Protobuf_Value(stringValue: "east"),
        ], agent: "envoy"))
    #expect(proxy.kind == .sidecar)
    #expect(proxy.client == .envoy)
    #expect(proxy.ipAddresses == ["10.0.0.1"])
    #expect(proxy.podName == "reviews-v1-abc")
    #expect(proxy.namespace == "bookinfo")
    #expect(proxy.dnsDomain == "bookinfo.svc.cluster.local")
    #expect(proxy.labels == ["app": "reviews", "version": "v1"])
    #expect(proxy.istioVersion == "1.24.0")
    #expect(proxy.clusterID == "east")
    #expect(proxy.interceptionMode == .redirect)
  }

  @Test func metadataOverridesTheId() {
    let proxy = Proxy(
      node: node(
        id: "router~10.0.0.2~gw.ns1~ns1.svc.cluster.local",
        metadata: [
          "NAMESPACE": Google_Protobuf_Value(stringValue: "ns2"),
          "INSTANCE_IPS": Google_Protobuf_Value(stringValue: "10.0.0.3, fd00::3"),
          "INTERCEPTION_MODE": Google_Protobuf_Value(stringValue: "NONE"),
        ]))
    #expect(proxy.kind == .router)
    #expect(proxy.namespace == "ns2")
    #expect(proxy.ipAddresses == ["10.0.0.3", "fd00::3"])
    #expect(proxy.interceptionMode == .none)
  }

  @Test func recognisesProxylessGRPCAndMOSN() {
    let generator = Proxy(
      node: node(
        id: "sidecar~10.0.0.4~a.default~default.svc.cluster.local",
        metadata: ["GENERATOR": Google_Protobuf_Value(stringValue: "grpc")]))
    #expect(generator.client == .grpc)
    let agent = Proxy(node: node(id: "x", agent: "gRPC Python"))
    #expect(agent.client == .grpc)
    let mosn = Proxy(
      node: node(
        id: "sidecar~10.0.0.5~b.default~default.svc.cluster.local",
        metadata: ["FAIRWAY_PROXY": Google_Protobuf_Value(stringValue: "MOSN")]))
    #expect(mosn.client == .mosn)
    #expect(mosn.interceptionMode == .none)
  }

  @Test(arguments: [
    "", "~", "sidecar~~~", "a~b~c", "sidecar~1.2.3.4~nodot~", "🙂~~~~~~", "x~y~z~w~v",
  ])
  func malformedIdsBecomeOpaqueIds(id: String) {
    let proxy = Proxy(node: node(id: id))
    #expect(proxy.id == id)
    #expect(!proxy.namespace.isEmpty)
    #expect(!proxy.dnsDomain.isEmpty)
  }

  @Test func missingMetadataGetsDefaults() {
    let proxy = Proxy(node: node(id: "sidecar~10.0.0.6~pod.team~team.svc.cluster.local"))
    #expect(proxy.namespace == "team")
    #expect(proxy.labels.isEmpty)
    #expect(proxy.clusterID == "Kubernetes")
    #expect(proxy.client == .envoy)
  }

  @Test func viewsIgnoreTheIdSoProxiesShareTranslations() {
    var a = Proxy(id: "sidecar~10.0.0.1~a.default~default.svc.cluster.local", namespace: "default")
    var b = a
    b.id = "sidecar~10.0.0.1~b.default~default.svc.cluster.local"
    #expect(a.view == b.view)
    a.labels = ["app": "x"]
    #expect(a.view != b.view)
  }
}
