/// Rules shared by several kinds.
extension IssueCollector {
  static let maxPort = 65535

  mutating func metadata(_ metadata: ConfigMetadata) {
    labels(metadata.labels, path: "metadata.labels")
    annotationKeys(metadata.annotations, path: "metadata.annotations")
  }

  mutating func annotationKeys(_ annotations: [String: String]?, path: String) {
    for key in (annotations ?? [:]).keys.sorted() where !NameRules.isLabelKey(key) {
      add(path, "invalid annotation key \"\(key)\"")
    }
  }

  mutating func labels(_ labels: [String: String]?, path: String) {
    guard let labels else { return }
    for key in labels.keys.sorted() {
      if !NameRules.isLabelKey(key) {
        add(path, "invalid label key \"\(key)\"")
      }
      if let value = labels[key], !NameRules.isLabelValue(value) {
        add("\(path).\(key)", "invalid label value \"\(value)\"")
      }
    }
  }

  mutating func port(_ number: Int?, path: String, required: Bool = false) {
    guard let number else {
      if required { add(path, "port number is required") }
      return
    }
    if number < 1 || number > Self.maxPort {
      add(path, "port number \(number) must be in the range 1..65535")
    }
  }

  /// Istio rejects negative durations everywhere; some fields also need at least 1ms.
  mutating func duration(_ value: IstioDuration?, path: String, atLeastOneMillisecond: Bool = false)
  {
    guard let value else { return }
    if value.isNegative {
      add(path, "duration \(value.text) must not be negative")
    } else if atLeastOneMillisecond && value.totalNanoseconds < 1_000_000 {
      add(path, "duration \(value.text) must be at least 1ms")
    }
  }

  mutating func percent(_ value: Percent?, path: String) {
    guard let value = value?.value else { return }
    if !(0...100).contains(value) {
      add("\(path).value", "percentage \(value) must be in the range 0..100")
    }
  }

  mutating func percentInt(_ value: Int?, path: String) {
    guard let value else { return }
    if !(0...100).contains(value) { add(path, "percentage \(value) must be in the range 0..100") }
  }

  mutating func stringMatch(_ match: StringMatch?, path: String, allowEmpty: Bool = false) {
    guard let match else { return }
    if match.setCount > 1 {
      add(path, "only one of exact, prefix or regex may be set")
    } else if match.setCount == 0 && !allowEmpty {
      add(path, "one of exact, prefix or regex must be set")
    }
    if let regex = match.regex {
      if regex.isEmpty {
        add("\(path).regex", "regex must not be empty")
      } else if let error = NameRules.regexError(regex) {
        add("\(path).regex", error)
      }
    }
  }

  mutating func host(_ host: String?, path: String, allowBareWildcard: Bool = true) {
    guard let host, !host.isEmpty else {
      add(path, "host is required")
      return
    }
    if !NameRules.isWildcardDomain(host, allowBareWildcard: allowBareWildcard) {
      add(path, "invalid host \"\(host)\": must be a DNS name, optionally starting with \"*.\"")
    }
  }

  mutating func exportTo(_ values: [String]?, path: String) {
    guard let values else { return }
    var seen = Set<String>()
    for (index, value) in values.enumerated() {
      if value != "." && value != "*" && value != "~" && !NameRules.isDNS1123Label(value) {
        add("\(path)[\(index)]", "exportTo \"\(value)\" must be \".\", \"*\" or a namespace name")
      }
      if !seen.insert(value).inserted {
        add("\(path)[\(index)]", "duplicate exportTo entry \"\(value)\"")
      }
    }
    if values.contains("*") && values.count > 1 {
      add(path, "\"*\" must be the only exportTo entry")
    }
  }

  mutating func destination(_ destination: Destination?, path: String) {
    guard let destination else {
      add(path, "destination is required")
      return
    }
    host(destination.host, path: "\(path).host", allowBareWildcard: false)
    if let subset = destination.subset, !NameRules.isDNS1123Label(subset) {
      add("\(path).subset", "invalid subset name \"\(subset)\": must be a DNS-1123 label")
    }
    if let port = destination.port {
      self.port(port.number, path: "\(path).port.number", required: true)
    }
  }

  /// Istio: each weight non-negative and an int32 (its API type, so a larger number does not
  /// even decode there); with more than one destination they must sum to 100.
  mutating func weights(_ weights: [Int?], path: String) {
    var total = 0
    for (index, weight) in weights.enumerated() {
      guard let weight else { continue }
      if weight < 0 {
        add("\(path)[\(index)].weight", "weight \(weight) must not be negative")
      } else if weight > Int(Int32.max) {
        add("\(path)[\(index)].weight", "weight \(weight) must be in the range 0..\(Int32.max)")
      }
      total = Self.saturatingSum(total, weight)
    }
    if weights.count > 1 && total != 100 {
      add(path, "total destination weight \(total) != 100")
    }
  }

  /// Addition that cannot trap: user-supplied numbers can be as large as Int64 allows.
  static func saturatingSum(_ a: Int, _ b: Int) -> Int {
    let (sum, overflow) = a.addingReportingOverflow(b)
    if overflow { return b > 0 ? .max : .min }
    return sum
  }

  mutating func gateways(_ gateways: [String]?, path: String) {
    guard let gateways else { return }
    for (index, gateway) in gateways.enumerated() {
      let parts = gateway.split(separator: "/", omittingEmptySubsequences: false)
      let valid: Bool
      switch parts.count {
      case 1: valid = gateway == "mesh" || NameRules.isDNS1123Subdomain(gateway)
      case 2:
        valid =
          NameRules.isDNS1123Label(String(parts[0]))
          && NameRules.isDNS1123Subdomain(String(parts[1]))
      default: valid = false
      }
      if !valid {
        add(
          "\(path)[\(index)]", "invalid gateway \"\(gateway)\": want mesh, NAME or NAMESPACE/NAME")
      }
    }
  }

  mutating func enumValue(_ value: String?, allowed: [String], path: String) {
    guard let value else { return }
    if !allowed.contains(value) {
      add(path, "unknown value \"\(value)\" (want one of \(allowed.joined(separator: ", ")))")
    }
  }

  mutating func nonNegative(_ value: Int?, path: String) {
    guard let value else { return }
    if value < 0 { add(path, "\(value) must not be negative") }
  }
}
