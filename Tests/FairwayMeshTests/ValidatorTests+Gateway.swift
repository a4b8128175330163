import FairwayMesh
import Foundation
import Testing

/// Gateway and DestinationRule `tls` validation: every problem named by its field path.
extension ValidatorTests {
  static let validGateway = """
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata: {name: ingress, namespace: istio-system}
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts: ["*/bookinfo.example.com", "./*.internal.example.com", "*"]
        tls: {httpsRedirect: true}
      - port: {number: 443, name: https, protocol: HTTPS}
        hosts: [bookinfo.example.com]
        tls:
          mode: MUTUAL
          serverCertificate: /etc/certs/server.pem
          privateKey: /etc/certs/server.key
          caCertificates: /etc/certs/ca.pem
          minProtocolVersion: TLSV1_2
          cipherSuites: [ECDHE-RSA-AES128-GCM-SHA256]
          subjectAltNames: [client.example.com]
      - port: {number: 8443, name: tls, protocol: TLS}
        hosts: [pass.example.com]
        tls: {mode: PASSTHROUGH}
      - port: {number: 3306, name: mysql, protocol: TCP, targetPort: 13306}
        hosts: ["*"]
        bind: 10.0.0.1
    """

  @Test func aFullGatewayIsValidAndKept() throws {
    #expect(issues(Self.validGateway).isEmpty)
    let object = try #require(try parser.parse(Data(Self.validGateway.utf8)).objects.first)
    #expect(object.key.kind == .gateway)
    guard case .gateway(let gateway) = object.spec else {
      Issue.record("not a gateway")
      return
    }
    #expect(gateway.selector == ["istio": "ingressgateway"])
    #expect(gateway.servers?.count == 4)
    #expect(gateway.servers?[1].tls?.mode == "MUTUAL")
    #expect(gateway.servers?[3].port?.targetPort == 13306)
  }

  @Test func kindNamesResolve() {
    #expect(ConfigKind(userInput: "gw") == .gateway)
    #expect(ConfigKind(userInput: "gateways") == .gateway)
    #expect(ConfigKind(plural: "gateways") == .gateway)
    #expect(ConfigKind.gateway.shortName == "gw")
  }

  @Test func badGatewayFieldsAreNamedByPath() {
    let found = issues(
      """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: bad, namespace: istio-system}
      spec:
        selector: {"bad key!": x}
        servers:
        - port: {number: 70000, name: http, protocol: HTTP}
          hosts: ["bad_ns!/foo.com", "a/b/c"]
          tls: {mode: SIMPLE}
        - port: {number: 443, protocol: HTTPS}
          hosts: [secure.example.com]
        - port: {number: 444, name: https, protocol: HTTPS}
          hosts: [secure.example.com]
          tls: {mode: SIMPLE, credentialName: my-secret}
        - port: {number: 445, name: mtls, protocol: HTTPS}
          hosts: [x.example.com]
          tls: {mode: MUTUAL, serverCertificate: /a, privateKey: /b, minProtocolVersion: TLSV9}
        - port: {number: 446, name: istio, protocol: HTTPS}
          hosts: [y.example.com]
          tls: {mode: ISTIO_MUTUAL}
        - port: {number: 447, name: weird, protocol: QUIC}
          hosts: []
      """)
    let paths = Set(found.map(\.fieldPath))
    for expected in [
      "spec.selector",
      "spec.servers[0].port.number",
      "spec.servers[0].hosts[0]",
      "spec.servers[0].hosts[1]",
      "spec.servers[0].tls",
      "spec.servers[1].tls",
      "spec.servers[2].tls.credentialName",
      "spec.servers[2].tls.serverCertificate",
      "spec.servers[3].tls.caCertificates",
      "spec.servers[3].tls.minProtocolVersion",
      "spec.servers[4].tls.mode",
      "spec.servers[5].port.protocol",
      "spec.servers[5].hosts",
    ] {
      #expect(paths.contains(expected), "missing \(expected) in \(found.map(\.fieldPath))")
    }
    let credential = found.first { $0.fieldPath == "spec.servers[2].tls.credentialName" }
    #expect(credential?.message.contains("not supported") == true)
    let istioMutual = found.first { $0.fieldPath == "spec.servers[4].tls.mode" }
    #expect(istioMutual?.message.contains("ISTIO_MUTUAL is not supported") == true)
    #expect(found.allSatisfy { $0.document == "Gateway istio-system/bad" })
  }

  @Test func gatewayNeedsServers() {
    let found = issues(
      """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: empty}
      spec: {selector: {istio: ingressgateway}}
      """)
    #expect(found.map(\.fieldPath) == ["spec.servers"])
  }

  @Test func destinationRuleTLSFields() {
    let found = issues(
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: ext}
      spec:
        host: api.example.com
        trafficPolicy:
          tls: {mode: MUTUAL, caCertificates: /ca.pem}
          portLevelSettings:
          - port: {number: 443}
            tls: {mode: SIMPLE, credentialName: api-secret, subjectAltNames: [""]}
        subsets:
        - name: v1
          trafficPolicy:
            tls: {mode: WEIRD}
      """)
    #expect(
      Set(found.map(\.fieldPath)) == [
        "spec.trafficPolicy.tls.clientCertificate",
        "spec.trafficPolicy.tls.privateKey",
        "spec.trafficPolicy.portLevelSettings[0].tls.credentialName",
        "spec.trafficPolicy.portLevelSettings[0].tls.subjectAltNames[0]",
        "spec.subsets[0].trafficPolicy.tls.mode",
      ], "\(found)")
  }
}
