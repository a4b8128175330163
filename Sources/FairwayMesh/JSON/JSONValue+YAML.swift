import Foundation
import Yams

extension JSONValue {
  /// Resolution rules for plain YAML scalars: YAML 1.2 core numbers (no sexagesimal or
  /// octal surprises), plus the YAML 1.1 booleans Kubernetes tooling still accepts.
  /// Timestamps stay strings, as they do in Kubernetes objects.
  static let yamlResolver: Resolver = {
    var resolver = Resolver.basic
    let rules: [(Tag.Name, String)] = [
      (.null, "^(?:~|null|Null|NULL|)$"),
      (.bool, "^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$"),
      (.int, "^(?:[-+]?[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+)$"),
      (.float, "^(?:[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$"),
    ]
    for (tag, pattern) in rules {
      if let next = try? resolver.appending(tag, pattern) { resolver = next }
    }
    return resolver
  }()

  /// Converts a composed YAML node into a JSON value.
  ///
  /// - Throws: `ConfigParseError` for duplicate mapping keys, non-scalar keys and aliases
  ///   that cannot be represented in JSON.
  static func fromYAML(_ node: Node, budget: inout Int) throws -> JSONValue {
    budget -= 1
    if budget < 0 {
      throw ConfigParseError(
        message: "document expands to too many values (YAML aliases?)", line: node.mark?.line,
        column: node.mark?.column)
    }
    switch node {
    case .scalar(let scalar):
      return fromYAMLScalar(scalar)
    case .sequence(let sequence):
      var items: [JSONValue] = []
      for item in sequence { items.append(try fromYAML(item, budget: &budget)) }
      return .array(items)
    case .mapping(let mapping):
      var members: [String: JSONValue] = [:]
      for (keyNode, valueNode) in mapping {
        guard case .scalar(let keyScalar) = keyNode else {
          throw ConfigParseError(
            message: "mapping keys must be scalars", line: keyNode.mark?.line,
            column: keyNode.mark?.column)
        }
        let key = keyScalar.string
        if members[key] != nil {
          throw ConfigParseError(
            message: "duplicate key \"\(key)\"", line: keyNode.mark?.line,
            column: keyNode.mark?.column)
        }
        members[key] = try fromYAML(valueNode, budget: &budget)
      }
      return .object(members)
    case .alias:
      throw ConfigParseError(
        message: "unresolved YAML alias", line: node.mark?.line, column: node.mark?.column)
    }
  }

  private static func fromYAMLScalar(_ scalar: Node.Scalar) -> JSONValue {
    let text = scalar.string
    switch yamlResolver.resolveTag(of: Node.scalar(scalar)) {
    case .null:
      return .null
    case .bool:
      return .bool(["yes", "true", "on"].contains(text.lowercased()))
    case .int:
      if let value = parseInteger(text) { return .int(value) }
      if let value = Double(text) { return .double(value) }
      return .string(text)
    case .float:
      if let value = Double(text), value.isFinite { return .double(value) }
      return .string(text)
    default:
      return .string(text)
    }
  }

  private static func parseInteger(_ text: String) -> Int64? {
    if text.hasPrefix("0x") { return Int64(text.dropFirst(2), radix: 16) }
    if text.hasPrefix("0o") { return Int64(text.dropFirst(2), radix: 8) }
    return Int64(text)
  }

  /// YAML text for this value (block style, sorted keys). Strings that a YAML reader
  /// would take for another type (`"true"`, `"80"`, `""`) are quoted so the text reads
  /// back to the same value.
  public func yamlString() -> String {
    let node = yamlNode()
    do {
      return try Yams.serialize(node: node, indent: 2, width: -1, allowUnicode: true)
    } catch {
      // The emitter only fails on invalid UTF-8, which Swift strings cannot hold; JSON is YAML.
      return serialized(pretty: true) + "\n"
    }
  }

  func yamlNode() -> Node {
    switch self {
    case .null: return Node.scalar(.init("null"))
    case .bool(let value): return Node.scalar(.init(value ? "true" : "false"))
    case .int(let value): return Node.scalar(.init(String(value)))
    case .double: return Node.scalar(.init(serialized()))
    case .string(let value):
      let plain = Node.Scalar(value)
      let resolvesAsString =
        Resolver.default.resolveTag(of: Node.scalar(plain)) == .str
        && Self.yamlResolver.resolveTag(of: Node.scalar(plain)) == .str
      if resolvesAsString && !value.isEmpty {
        let style: Node.Scalar.Style = value.contains("\n") ? .literal : .any
        return Node.scalar(.init(value, .implicit, style))
      }
      return Node.scalar(.init(value, .implicit, .doubleQuoted))
    case .array(let items):
      return Node.sequence(.init(items.map { $0.yamlNode() }))
    case .object(let members):
      let pairs = members.keys.sorted().map { key -> (Node, Node) in
        (JSONValue.string(key).yamlNode(), members[key]?.yamlNode() ?? Node.scalar(.init("null")))
      }
      return Node.mapping(.init(pairs))
    }
  }
}
