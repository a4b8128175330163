import FairwayMesh
import Foundation
import Testing

@Suite struct SidecarValidationTests {
  func issues(_ spec: String) -> [String] {
    let yaml = """
      apiVersion: networking.istio.io/v1
      kind: Sidecar
      metadata: {name: default, namespace: shop}
      spec:
      \(spec)
      """
    do {
      _ = try ConfigParser().parse(Data(yaml.utf8))
      return []
    } catch let error as ConfigValidationError {
      return error.issues.map(\.fieldPath)
    } catch {
      Issue.record("unexpected error \(error)")
      return []
    }
  }

  @Test func validSidecarParses() throws {
    #expect(
      issues(
        """
          workloadSelector: {labels: {app: web}}
          egress:
          - hosts: ["./*", "istio-system/*", "*/api.example.com", "~/*", "b/*.svc.cluster.local"]
          - port: {number: 9080, protocol: HTTP, name: http}
            hosts: ["*/*"]
          ingress:
          - port: {number: 9000, protocol: HTTP, name: http}
            defaultEndpoint: 127.0.0.1:8080
          outboundTrafficPolicy: {mode: REGISTRY_ONLY}
        """
      ).isEmpty)
    let parsed = try ConfigParser().parse(
      Data(
        """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: shop}
        spec: {egress: [{hosts: ["./*"]}]}
        """.utf8))
    #expect(parsed.objects.first?.kind == .sidecar)
    #expect(ConfigKind(plural: "sidecars") == .sidecar)
    #expect(ConfigKind(userInput: "Sidecar") == .sidecar)
  }

  @Test func badFieldsAreNamed() {
    let found = issues(
      """
        workloadSelector: {labels: {}}
        egress:
        - hosts: ["nonamespace", "a/b/c", "Bad_NS/*", "./"]
        - hosts: []
        ingress:
        - defaultEndpoint: 127.0.0.1:80
        - port: {number: 70000, protocol: HTTP, name: http}
          defaultEndpoint: 10.0.0.1:80
        outboundTrafficPolicy: {mode: DENY}
      """)
    #expect(
      Set(found) == [
        "spec.workloadSelector.labels",
        "spec.egress[0].hosts[0]", "spec.egress[0].hosts[1]", "spec.egress[0].hosts[2]",
        "spec.egress[0].hosts[3]",
        "spec.egress[1]", "spec.egress[1].hosts",
        "spec.ingress[0].port",
        "spec.ingress[1].port.number", "spec.ingress[1].defaultEndpoint",
        "spec.outboundTrafficPolicy.mode",
      ], "\(found)")
  }

  @Test func destinationRuleSelectorUsesMatchLabels() {
    let yaml = """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: dr, namespace: shop}
      spec:
        host: reviews
        workloadSelector: {}
      """
    #expect(throws: ConfigValidationError.self) { try ConfigParser().parse(Data(yaml.utf8)) }
  }
}
