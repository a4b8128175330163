extension ConfigParser {
  /// Decodes one document (already split from the body) into a `ConfigObject`:
  /// apiVersion and kind, metadata, and the typed view of `spec`. Does not run the
  /// `Validator`.
  ///
  /// - Parameter index: 0-based position in the body, used to name documents that have
  ///   no usable kind or name.
  func decodeObject(_ document: JSONValue, index: Int) -> Result<
    ConfigObject, DocumentIssues
  > {
    var documentName = "document \(index + 1)"
    func issue(_ path: String, _ message: String) -> ValidationIssue {
      ValidationIssue(document: documentName, fieldPath: path, message: message)
    }
    guard let members = document.objectValue else {
      return .failure(
        DocumentIssues(issues: [issue("", "expected an object, got \(document.typeName)")]))
    }
    var issues: [ValidationIssue] = []

    let kindText = members["kind"]?.stringValue
    let kind = kindText.flatMap { ConfigKind(rawValue: $0) }
    let metadata = members["metadata"]?.objectValue ?? [:]
    let name = metadata["name"]?.stringValue ?? ""
    var namespace = "default"
    if let value = metadata["namespace"], value != .null {
      namespace = value.stringValue ?? ""
    }
    if let kindText, !name.isEmpty { documentName = "\(kindText) \(namespace)/\(name)" }

    switch members["apiVersion"] {
    case nil, .null?:
      issues.append(issue("apiVersion", "apiVersion is required"))
    case .string(let apiVersion)?:
      let parts = apiVersion.split(separator: "/", omittingEmptySubsequences: false)
      if parts.count != 2 || parts[0] != ConfigKind.group
        || !ConfigKind.acceptedVersions.contains(String(parts[1]))
      {
        issues.append(
          issue(
            "apiVersion",
            "unsupported apiVersion \"\(apiVersion)\" (want \(ConfigKind.group)/v1, v1beta1 or v1alpha3)"
          ))
      }
    case let other?:
      issues.append(issue("apiVersion", "apiVersion must be a string, got \(other.typeName)"))
    }
    if kindText == nil {
      issues.append(issue("kind", "kind is required"))
    } else if kind == nil, let kindText {
      let supported = ConfigKind.allCases.map(\.rawValue).joined(separator: ", ")
      issues.append(issue("kind", "unsupported kind \"\(kindText)\" (supported: \(supported))"))
    }

    if let raw = members["metadata"], raw != .null, raw.objectValue == nil {
      issues.append(issue("metadata", "metadata must be an object, got \(raw.typeName)"))
    }
    if metadata["name"] == nil || metadata["name"] == .null || name.isEmpty {
      issues.append(issue("metadata.name", "name is required"))
    } else if !NameRules.isDNS1123Subdomain(name) {
      issues.append(
        issue(
          "metadata.name",
          "invalid name \"\(name)\": must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
        ))
    }
    if !NameRules.isDNS1123Label(namespace) {
      issues.append(
        issue(
          "metadata.namespace",
          "invalid namespace \"\(namespace)\": must be a DNS-1123 label (lower case alphanumeric characters or '-', at most 63)"
        ))
    }
    let labels = stringMap(metadata["labels"], path: "metadata.labels", issue: issue, into: &issues)
    let annotations = stringMap(
      metadata["annotations"], path: "metadata.annotations", issue: issue, into: &issues)
    var resourceVersion: String?
    switch metadata["resourceVersion"] {
    case .string(let value)?: resourceVersion = value.isEmpty ? nil : value
    case .int(let value)?: resourceVersion = String(value)
    case nil, .null?: resourceVersion = nil
    case let other?:
      issues.append(
        issue("metadata.resourceVersion", "resourceVersion must be a string, got \(other.typeName)")
      )
    }

    var rawSpec = members["spec"] ?? .object([:])
    if rawSpec == .null { rawSpec = .object([:]) }
    if rawSpec.objectValue == nil {
      issues.append(issue("spec", "spec must be an object, got \(rawSpec.typeName)"))
    }

    guard let kind, rawSpec.objectValue != nil else {
      return .failure(DocumentIssues(issues: issues))
    }
    let spec: ConfigSpec
    do {
      spec = try ConfigSpec.decode(kind: kind, from: rawSpec)
    } catch let error as DecodingError {
      let (path, message) = Self.pathAndMessage(of: error)
      return .failure(DocumentIssues(issues: issues + [issue(path, message)]))
    } catch {
      return .failure(DocumentIssues(issues: issues + [issue("spec", "\(error)")]))
    }
    if !issues.isEmpty {
      // Metadata is wrong but the spec decoded: report its problems too, so one round
      // trip shows everything wrong with the document.
      var probe = ConfigObject(
        key: ConfigKey(kind: kind, namespace: "default", name: "probe"),
        apiVersion: ConfigKind.preferredAPIVersion,
        metadata: ConfigMetadata(), spec: spec, rawSpec: rawSpec)
      probe.metadata.labels = labels
      let specIssues = Validator.validate(probe).map { issue($0.fieldPath, $0.message) }
      return .failure(DocumentIssues(issues: issues + specIssues))
    }
    let object = ConfigObject(
      key: ConfigKey(kind: kind, namespace: namespace, name: name),
      apiVersion: members["apiVersion"]?.stringValue ?? ConfigKind.preferredAPIVersion,
      // A creation time read back (configz, `get -o yaml`) is kept so offline analysis orders
      // VirtualServices as the translator does; the store stamps its own on create.
      metadata: ConfigMetadata(
        labels: labels, annotations: annotations, resourceVersion: resourceVersion,
        creationTimestamp: metadata["creationTimestamp"]?.stringValue),
      spec: spec,
      rawSpec: rawSpec)
    return .success(object)
  }

  private func stringMap(
    _ value: JSONValue?, path: String, issue: (String, String) -> ValidationIssue,
    into issues: inout [ValidationIssue]
  ) -> [String: String] {
    guard let value, value != .null else { return [:] }
    guard let members = value.objectValue else {
      issues.append(issue(path, "must be a map of strings, got \(value.typeName)"))
      return [:]
    }
    var result: [String: String] = [:]
    for (key, item) in members {
      if let text = item.stringValue {
        result[key] = text
      } else {
        issues.append(issue("\(path).\(key)", "must be a string, got \(item.typeName) (quote it)"))
      }
    }
    return result
  }

  /// Field path (`spec.http[0].route[1].weight`) and message for a typed-decoding failure.
  static func pathAndMessage(of error: DecodingError) -> (String, String) {
    switch error {
    case .typeMismatch(let type, let context):
      return (fieldPath(context.codingPath), "expected \(describeType(type))")
    case .valueNotFound(let type, let context):
      return (fieldPath(context.codingPath), "expected \(describeType(type)), got null")
    case .keyNotFound(let key, let context):
      return (fieldPath(context.codingPath + [key]), "is required")
    case .dataCorrupted(let context):
      return (fieldPath(context.codingPath), context.debugDescription)
    @unknown default:
      return ("spec", "\(error)")
    }
  }

  static func fieldPath(_ codingPath: [any CodingKey]) -> String {
    var path = "spec"
    for key in codingPath {
      if let index = key.intValue {
        path += "[\(index)]"
      } else {
        path += ".\(key.stringValue)"
      }
    }
    return path
  }

  private static func describeType(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: return "a string"
    case is Int.Type, is Int64.Type, is Double.Type: return "a number"
    case is Bool.Type: return "a boolean"
    default:
      let name = "\(type)"
      if name.hasPrefix("Array") { return "an array" }
      if name.hasPrefix("Dictionary") { return "an object" }
      return "an object"
    }
  }

  /// Paths of fields present in the raw spec that the typed model dropped.
  static func unknownFieldWarnings(_ object: ConfigObject) -> [ValidationIssue] {
    guard let typed = try? object.spec.encodedJSON() else { return [] }
    var paths: [String] = []
    collectUnknown(raw: object.rawSpec, typed: typed, path: "spec", into: &paths)
    return paths.sorted().map {
      ValidationIssue(
        document: object.key.description, fieldPath: $0,
        message: "unknown field (kept, but not used by Fairway)")
    }
  }

  private static func collectUnknown(
    raw: JSONValue, typed: JSONValue, path: String, into paths: inout [String]
  ) {
    switch (raw, typed) {
    case (.object(let rawMembers), .object(let typedMembers)):
      for (key, value) in rawMembers where value != .null {
        if let typedValue = typedMembers[key] {
          collectUnknown(raw: value, typed: typedValue, path: "\(path).\(key)", into: &paths)
        } else {
          paths.append("\(path).\(key)")
        }
      }
    case (.array(let rawItems), .array(let typedItems)) where rawItems.count == typedItems.count:
      for (index, pair) in zip(rawItems, typedItems).enumerated() {
        collectUnknown(raw: pair.0, typed: pair.1, path: "\(path)[\(index)]", into: &paths)
      }
    default:
      break
    }
  }
}
