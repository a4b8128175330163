import Foundation
import Yams

/// Turns a request body (YAML stream, JSON object or array, or a Kubernetes `List`) into
/// validated `ConfigObject`s.
///
/// Parsing is all-or-nothing: one bad document fails the whole body, so a multi-document
/// apply can be atomic. Syntax problems throw `ConfigParseError` (with line and column
/// for YAML); well-formed but invalid documents throw `ConfigValidationError` listing
/// every problem in every document.
public struct ConfigParser: Sendable {
  /// Deepest array/object nesting accepted. Real configs stay far below; the limit keeps
  /// recursive decoders away from stack exhaustion on hostile input.
  var maxNestingDepth: Int
  /// Bounds on what one body expands to (values, alias-produced values, bytes), checked
  /// while reading it, before any document is decoded or stored.
  public var limits: ParseLimits

  public init(maxNestingDepth: Int = 100, limits: ParseLimits = ParseLimits()) {
    self.maxNestingDepth = maxNestingDepth
    self.limits = limits
  }

  /// Parses, decodes and validates every document in `data`.
  ///
  /// - Throws: `ConfigParseError` or `ConfigValidationError`.
  public func parse(_ data: Data, format: ContentFormat = .auto) throws -> ParsedConfigs {
    try objects(from: try parseDocuments(data, format: format))
  }

  /// Decodes and validates documents already split by `parseDocuments`.
  ///
  /// - Throws: `ConfigValidationError` listing every problem in every document.
  public func objects(from documents: [JSONValue]) throws -> ParsedConfigs {
    var objects: [ConfigObject] = []
    var issues: [ValidationIssue] = []
    var warnings: [ValidationIssue] = []
    for (index, document) in documents.enumerated() {
      switch decodeObject(document, index: index) {
      case .success(let object):
        let problems = Validator.validate(object)
        if problems.isEmpty {
          objects.append(object)
          warnings += Self.unknownFieldWarnings(object)
        } else {
          issues += problems
        }
      case .failure(let error):
        issues += error.issues
      }
    }
    if !issues.isEmpty { throw ConfigValidationError(issues: issues) }
    return ParsedConfigs(objects: objects, warnings: warnings)
  }

  /// Splits `data` into documents (syntax only), flattening JSON arrays and `List`s and
  /// skipping empty YAML documents.
  ///
  /// - Throws: `ConfigParseError`.
  public func parseDocuments(_ data: Data, format: ContentFormat = .auto) throws -> [JSONValue] {
    guard let text = String(data: data, encoding: .utf8) else {
      throw ConfigParseError(message: "body is not valid UTF-8")
    }
    let resolved: ContentFormat
    switch format {
    case .auto:
      let first = text.unicodeScalars.first { !CharacterSet.whitespacesAndNewlines.contains($0) }
      resolved = (first == "{" || first == "[") ? .json : .yaml
    default:
      resolved = format
    }
    var roots: [JSONValue]
    if resolved == .json {
      roots = [try parseJSON(data)]
    } else {
      roots = try parseYAML(text)
    }
    var documents: [JSONValue] = []
    for (index, root) in roots.enumerated() {
      if root.nestingDepth > maxNestingDepth {
        throw ConfigParseError(
          message: "document nests deeper than \(maxNestingDepth) levels", document: index + 1)
      }
      try flatten(root, into: &documents, level: 0)
    }
    return documents
  }

  private func flatten(_ value: JSONValue, into documents: inout [JSONValue], level: Int) throws {
    switch value {
    case .null:
      return
    case .array(let items) where level == 0:
      for item in items { try flatten(item, into: &documents, level: level + 1) }
    case .object(let members) where level < 2 && members["kind"]?.stringValue == "List":
      guard let items = members["items"]?.arrayValue else {
        throw ConfigParseError(
          message: "a List needs an \"items\" array", document: documents.count + 1)
      }
      for item in items { try flatten(item, into: &documents, level: 2) }
    default:
      documents.append(value)
    }
  }

  private func parseJSON(_ data: Data) throws -> JSONValue {
    var reader = StrictJSONReader(
      bytes: Array(data), maxDepth: maxNestingDepth, budget: ParseBudget(limits: limits))
    return try reader.read()
  }

  private func parseYAML(_ text: String) throws -> [JSONValue] {
    try YAMLDepthGuard.check(text, limit: maxNestingDepth)
    try YAMLExpansionScan.check(text, limits: limits)
    var roots: [JSONValue] = []
    var budget = limits.maxValues
    do {
      let parser = try Parser(yaml: text, resolver: JSONValue.yamlResolver)
      while let node = try parser.nextRoot() {
        roots.append(try JSONValue.fromYAML(node, budget: &budget))
      }
    } catch let error as YamlError {
      throw Self.parseError(from: error)
    }
    return roots
  }

  private static func parseError(from error: YamlError) -> ConfigParseError {
    switch error {
    case .scanner(let context, let problem, let mark, _),
      .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      let text = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(
        separator: ": ")
      return ConfigParseError(
        message: "invalid YAML: \(text)", line: mark.line, column: mark.column)
    case .reader(let problem, let offset, _, _):
      return ConfigParseError(
        message: "invalid YAML: \(problem)" + (offset.map { " at byte \($0)" } ?? ""))
    case .duplicatedKeysInMapping(let duplicates, let context):
      return ConfigParseError(
        message: "invalid YAML: duplicate keys \(duplicates.joined(separator: ", "))",
        line: context.mark.line, column: context.mark.column)
    default:
      return ConfigParseError(message: "invalid YAML: \(error)")
    }
  }
}
