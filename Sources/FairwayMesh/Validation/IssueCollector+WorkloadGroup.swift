/// WorkloadGroup rules (Istio `ValidateWorkloadGroup` and `validateReadinessProbe`).
extension IssueCollector {
  mutating func workloadGroup(_ spec: WorkloadGroup) {
    labels(spec.metadata?.labels, path: "spec.metadata.labels")
    annotationKeys(spec.metadata?.annotations, path: "spec.metadata.annotations")
    guard let template = spec.template else {
      add("spec.template", "template is required")
      return
    }
    // Not the WorkloadEntry rules as a whole: the address (required there) is the proxy's.
    workloadEntryFields(template, path: "spec.template", servicePorts: nil)
    if let probe = spec.probe { readinessProbe(probe, path: "spec.probe") }
  }

  mutating func readinessProbe(_ probe: ReadinessProbe, path: String) {
    for (field, value) in [
      ("periodSeconds", probe.periodSeconds), ("initialDelaySeconds", probe.initialDelaySeconds),
      ("timeoutSeconds", probe.timeoutSeconds), ("successThreshold", probe.successThreshold),
      ("failureThreshold", probe.failureThreshold),
    ] {
      guard let value else { continue }
      if value < 0 {
        add("\(path).\(field)", "\(field) must be non-negative")
      } else if value > Int(Int32.max) {
        add("\(path).\(field)", "\(field) must be at most \(Int32.max)")
      }
    }
    let methods = [probe.httpGet != nil, probe.tcpSocket != nil, probe.exec != nil].count(
      where: { $0 })
    if methods == 0 {
      add(path, "one of httpGet, tcpSocket or exec is required")
    } else if methods > 1 {
      add(path, "only one of httpGet, tcpSocket or exec may be set")
    }
    if let http = probe.httpGet {
      port(http.port, path: "\(path).httpGet.port", required: true)
      if let scheme = http.scheme, !scheme.isEmpty,
        !["HTTP", "HTTPS"].contains(scheme.uppercased())
      {
        add("\(path).httpGet.scheme", "httpGet.scheme must be one of \"http\", \"https\"")
      }
      for (index, header) in (http.httpHeaders ?? []).enumerated() {
        let name = header.name ?? ""
        if !Self.isHeaderName(name) {
          add("\(path).httpGet.httpHeaders[\(index)].name", "invalid header name \"\(name)\"")
        }
      }
    }
    if let tcp = probe.tcpSocket {
      port(tcp.port, path: "\(path).tcpSocket.port", required: true)
    }
    if let exec = probe.exec, (exec.command ?? []).isEmpty {
      add("\(path).exec.command", "exec.command is required")
    }
  }
}
