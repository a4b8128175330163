import CYaml

/// Measures what a YAML stream expands to, from libyaml's events, before anything is
/// composed: an alias adds the size already recorded for its anchor (O(1), nothing is
/// copied), so an alias bomb is refused after reading its few hundred bytes.
///
/// It also refuses collections (or aliases of collections) used as mapping keys: the
/// composer hashes keys recursively, which an aliased key would make exponential, and the
/// JSON model has no such keys anyway. Syntax errors end the scan quietly; the composer
/// that runs next reports them with its own messages.
enum YAMLExpansionScan {
  private struct Size {
    var values = 0
    var bytes = 0
    var isCollection = false
  }

  private struct Frame {
    let isMapping: Bool
    let anchor: String?
    var expectingKey = true
    var size = Size(values: 1, bytes: 0, isCollection: true)
  }

  static func check(_ text: String, limits: ParseLimits) throws {
    var bytes = Array(text.utf8)
    // libyaml reads exactly `count` bytes; an empty buffer still needs a valid pointer.
    if bytes.isEmpty { bytes.append(0x0A) }
    try bytes.withUnsafeBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      var parser = yaml_parser_t()
      guard yaml_parser_initialize(&parser) == 1 else { return }
      defer { yaml_parser_delete(&parser) }
      yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
      yaml_parser_set_input_string(&parser, base, buffer.count)
      try scan(&parser, limits: limits)
    }
  }

  private static func scan(_ parser: inout yaml_parser_t, limits: ParseLimits) throws {
    var budget = ParseBudget(limits: limits)
    var anchors: [String: Size] = [:]
    var stack: [Frame] = []
    var document = 0
    while true {
      var event = yaml_event_t()
      guard yaml_parser_parse(&parser, &event) == 1 else { return }
      defer { yaml_event_delete(&event) }
      let line = Int(event.start_mark.line) + 1
      let column = Int(event.start_mark.column) + 1
      let inKeyPosition = stack.last.map { $0.isMapping && $0.expectingKey } ?? false
      func nonScalarKey() -> ConfigParseError {
        ConfigParseError(
          message: "mapping keys must be scalars", line: line, column: column, document: document)
      }
      var completed: Size?
      switch event.type {
      case YAML_STREAM_END_EVENT:
        return
      case YAML_DOCUMENT_START_EVENT:
        document += 1
      case YAML_SCALAR_EVENT:
        let size = Size(values: 1, bytes: event.data.scalar.length)
        try budget.spend(
          values: 1, bytes: size.bytes, document: document, line: line, column: column)
        if let anchor = name(event.data.scalar.anchor) { anchors[anchor] = size }
        completed = size
      case YAML_ALIAS_EVENT:
        guard let anchor = name(event.data.alias.anchor), let size = anchors[anchor] else {
          return  // An undefined alias: the composer reports it.
        }
        if inKeyPosition && size.isCollection { throw nonScalarKey() }
        try budget.spend(
          values: size.values, bytes: size.bytes, viaAlias: true, document: document, line: line,
          column: column)
        completed = size
      case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
        if inKeyPosition { throw nonScalarKey() }
        try budget.spend(values: 1, bytes: 0, document: document, line: line, column: column)
        let isMapping = event.type == YAML_MAPPING_START_EVENT
        let anchor =
          isMapping ? name(event.data.mapping_start.anchor) : name(event.data.sequence_start.anchor)
        stack.append(Frame(isMapping: isMapping, anchor: anchor))
      case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
        guard let frame = stack.popLast() else { return }
        if let anchor = frame.anchor { anchors[anchor] = frame.size }
        completed = frame.size
      default:
        break
      }
      if let completed, !stack.isEmpty {
        let top = stack.count - 1
        stack[top].size.values = saturating(stack[top].size.values, completed.values)
        stack[top].size.bytes = saturating(stack[top].size.bytes, completed.bytes)
        if stack[top].isMapping { stack[top].expectingKey.toggle() }
      }
    }
  }

  private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
    guard let pointer else { return nil }
    return String(cString: pointer)
  }

  private static func saturating(_ a: Int, _ b: Int) -> Int {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? .max : sum
  }
}
