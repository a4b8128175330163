/// A request body that could not be read as YAML or JSON documents (HTTP 400).
public struct ConfigParseError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  /// 1-based position of the problem, when the parser reports one.
  public var line: Int?
  public var column: Int?
  /// 1-based index of the document in a multi-document body, when known.
  public var document: Int?

  public init(message: String, line: Int? = nil, column: Int? = nil, document: Int? = nil) {
    self.message = message
    self.line = line
    self.column = column
    self.document = document
  }

  public var description: String {
    var prefix = ""
    if let document { prefix += "document \(document): " }
    if let line, let column {
      prefix += "line \(line), column \(column): "
    } else if let line {
      prefix += "line \(line): "
    }
    return prefix + message
  }
}
