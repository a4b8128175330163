/// Checks configs the way istiod's validating webhook does, returning every problem with
/// the document and field path it is in.
///
/// Rules follow Istio's `pkg/config/validation`: destination weights must sum to 100
/// when a route has more than one destination, hosts must be DNS names, ports in
/// 1-65535, durations non-negative (and at least 1ms where Istio requires it), subset
/// names unique DNS labels, ServiceEntry resolution consistent with endpoints, regexes
/// must compile, and so on.
enum Validator {
  /// All problems in `object`; empty when valid.
  static func validate(_ object: ConfigObject) -> [ValidationIssue] {
    var collector = IssueCollector(document: object.key.description)
    collector.metadata(object.metadata)
    switch object.spec {
    case .virtualService(let spec): collector.virtualService(spec)
    case .destinationRule(let spec): collector.destinationRule(spec)
    case .serviceEntry(let spec): collector.serviceEntry(spec)
    case .workloadEntry(let spec): collector.workloadEntry(spec, path: "spec", servicePorts: nil)
    case .workloadGroup(let spec): collector.workloadGroup(spec)
    case .sidecar(let spec): collector.sidecar(spec)
    case .gateway(let spec): collector.gateway(spec)
    }
    return collector.issues
  }
}
