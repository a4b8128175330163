/// A JSON-shaped value as users wrote it, kept alongside the typed model so that
/// fields Fairway does not understand are never lost.
///
/// Integers and floating-point numbers are separate cases so that `weight: 80` comes
/// back as `80`, not `80.0`; equality compares numbers by value across the two cases.
/// Objects are unordered; the serializers always emit keys in sorted order so output
/// is deterministic.
public enum JSONValue: Sendable {
  case null
  case bool(Bool)
  case int(Int64)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])
}

extension JSONValue: Equatable {
  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.int(let a), .int(let b)): return a == b
    case (.double(let a), .double(let b)): return a == b
    // The typed model stores some integers as Double (percentages), so 10 and 10.0 must match.
    case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b
    case (.string(let a), .string(let b)): return a == b
    case (.array(let a), .array(let b)): return a == b
    case (.object(let a), .object(let b)): return a == b
    default: return false
    }
  }
}

extension JSONValue {
  /// The dictionary when this is an object.
  public var objectValue: [String: JSONValue]? {
    if case .object(let value) = self { return value }
    return nil
  }

  /// The elements when this is an array.
  public var arrayValue: [JSONValue]? {
    if case .array(let value) = self { return value }
    return nil
  }

  /// The string when this is a string.
  public var stringValue: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  /// The integer value, if this is an integral number.
  public var intValue: Int64? {
    switch self {
    case .int(let value): return value
    case .double(let value):
      guard value.rounded() == value, let exact = Int64(exactly: value) else { return nil }
      return exact
    default: return nil
    }
  }

  /// Member access on objects; `nil` for other cases or missing keys.
  public subscript(key: String) -> JSONValue? {
    objectValue?[key]
  }

  /// A short name of the JSON type, used in error messages.
  var typeName: String {
    switch self {
    case .null: return "null"
    case .bool: return "boolean"
    case .int, .double: return "number"
    case .string: return "string"
    case .array: return "array"
    case .object: return "object"
    }
  }

  /// The deepest nesting of arrays and objects, computed without recursion so that a
  /// hostile document cannot overflow the stack here.
  var nestingDepth: Int {
    var maxDepth = 0
    var stack: [(JSONValue, Int)] = [(self, 0)]
    while let (value, depth) = stack.popLast() {
      switch value {
      case .array(let items):
        maxDepth = max(maxDepth, depth + 1)
        for item in items { stack.append((item, depth + 1)) }
      case .object(let members):
        maxDepth = max(maxDepth, depth + 1)
        for item in members.values { stack.append((item, depth + 1)) }
      default:
        break
      }
    }
    return maxDepth
  }
}
