import FairwayMesh
import Foundation
import Testing

/// WorkloadGroup decoding and Istio's `ValidateWorkloadGroup` rules, with field paths.
@Suite struct WorkloadGroupValidationTests {
  func issues(_ spec: String) -> [String] {
    let yaml = """
      apiVersion: networking.istio.io/v1
      kind: WorkloadGroup
      metadata: {name: ratings, namespace: vm}
      spec:
      \(spec)
      """
    do {
      _ = try ConfigParser().parse(Data(yaml.utf8))
      return []
    } catch let error as ConfigValidationError {
      return error.issues.map { "\($0.fieldPath): \($0.message)" }
    } catch {
      return ["\(error)"]
    }
  }

  @Test func aFullGroupDecodesAndRoundTrips() throws {
    let yaml = """
      apiVersion: networking.istio.io/v1alpha3
      kind: WorkloadGroup
      metadata: {name: ratings, namespace: vm}
      spec:
        metadata:
          labels: {app: ratings}
          annotations: {team: data}
        template:
          ports: {http: 9080}
          serviceAccount: ratings
          network: vm-net
          locality: us-east/a
          weight: 2
          labels: {class: vm}
        probe:
          initialDelaySeconds: 1
          periodSeconds: 5
          httpGet: {path: /ready, port: 9080, scheme: HTTPS, httpHeaders: [{name: x-probe, value: "1"}]}
      """
    let parsed = try ConfigParser().parse(Data(yaml.utf8))
    #expect(parsed.warnings.isEmpty, "\(parsed.warnings)")
    let object = try #require(parsed.objects.first)
    #expect(object.key == ConfigKey(kind: .workloadGroup, namespace: "vm", name: "ratings"))
    guard case .workloadGroup(let group) = object.spec else {
      Issue.record("not a WorkloadGroup")
      return
    }
    #expect(group.template?.ports == ["http": 9080])
    #expect(group.metadata?.annotations == ["team": "data"])
    #expect(group.probe?.httpGet?.httpHeaders?.first?.name == "x-probe")
    #expect(ConfigKind(userInput: "wg") == .workloadGroup)
    #expect(ConfigKind(plural: "workloadgroups") == .workloadGroup)
    let again = try ConfigParser().parse(Data(object.jsonString().utf8))
    #expect(again.objects.first?.spec == object.spec)
  }

  @Test func templateIsRequired() {
    #expect(issues("  metadata: {labels: {app: x}}") == ["spec.template: template is required"])
  }

  @Test func badTemplateFieldsAreNamed() {
    let found = issues(
      """
        template:
          ports: {http: 70000}
          labels: {"bad key!": x}
          weight: -1
          locality: a/b/c/d
          serviceAccount: Not_Valid
      """)
    #expect(
      found == [
        "spec.template.ports.http: port number 70000 must be in the range 1..65535",
        "spec.template.labels: invalid label key \"bad key!\"",
        "spec.template.weight: weight -1 must be in the range 0..4294967295",
        "spec.template.locality: locality \"a/b/c/d\" must be region/zone/subzone",
        "spec.template.serviceAccount: invalid service account \"Not_Valid\"",
      ])
  }

  @Test func probesAreValidatedLikeIstio() {
    #expect(
      issues(
        """
          template: {}
          probe: {periodSeconds: -1, failureThreshold: -2}
        """) == [
          "spec.probe.periodSeconds: periodSeconds must be non-negative",
          "spec.probe.failureThreshold: failureThreshold must be non-negative",
          "spec.probe: one of httpGet, tcpSocket or exec is required",
        ])
    #expect(
      issues(
        """
          template: {}
          probe: {httpGet: {port: 0, scheme: ftp, httpHeaders: [{name: "bad header"}]}, tcpSocket: {port: 80}}
        """) == [
          "spec.probe: only one of httpGet, tcpSocket or exec may be set",
          "spec.probe.httpGet.port: port number 0 must be in the range 1..65535",
          "spec.probe.httpGet.scheme: httpGet.scheme must be one of \"http\", \"https\"",
          "spec.probe.httpGet.httpHeaders[0].name: invalid header name \"bad header\"",
        ])
    #expect(
      issues(
        """
          template: {}
          probe: {exec: {command: []}}
        """) == ["spec.probe.exec.command: exec.command is required"])
    #expect(
      issues(
        """
          template: {}
          probe: {tcpSocket: {}}
        """) == ["spec.probe.tcpSocket.port: port number is required"])
    #expect(issues("  template: {}\n  probe: {exec: {command: [cat, /ready]}}").isEmpty)
  }

  @Test func wrongTypesNameTheirField() {
    #expect(
      issues("  template: {ports: {http: eighty}}") == [
        "spec.template.ports.http: expected a number"
      ])
  }
}
