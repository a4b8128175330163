/// Upper bounds on what one request body may expand to once parsed. They bound the memory
/// a body can make the server hold and the CPU spent converting and validating it, whatever
/// the syntax does (a YAML alias bomb is a few hundred bytes).
public struct ParseLimits: Sendable, Equatable {
  /// Values (scalars, arrays and objects) in one body, aliases counted as expanded.
  package var maxValues: Int
  /// Values produced by expanding YAML aliases (`*name`) in one body. Kubernetes-style
  /// configs rarely use aliases; amplification is what this stops.
  package var maxAliasValues: Int
  /// Bytes of scalar text (keys and values) in one body, aliases counted as expanded.
  public var maxBytes: Int

  public static let defaultMaxValues = 500_000
  public static let defaultMaxAliasValues = 10_000
  public static let defaultMaxBytes = 16 * 1024 * 1024

  public init(
    maxValues: Int = ParseLimits.defaultMaxValues,
    maxAliasValues: Int = ParseLimits.defaultMaxAliasValues,
    maxBytes: Int = ParseLimits.defaultMaxBytes
  ) {
    self.maxValues = maxValues
    self.maxAliasValues = maxAliasValues
    self.maxBytes = maxBytes
  }
}

/// What a body has used of its `ParseLimits` so far; throws as soon as one is exceeded.
struct ParseBudget {
  let limits: ParseLimits
  private(set) var values = 0
  private(set) var aliasValues = 0
  private(set) var bytes = 0

  init(limits: ParseLimits) { self.limits = limits }

  /// Counts `values` values holding `bytes` bytes, `viaAlias` when an alias produced them.
  ///
  /// - Parameter document: 1-based index of the document being read, for the error.
  mutating func spend(
    values: Int, bytes: Int, viaAlias: Bool = false, document: Int, line: Int? = nil,
    column: Int? = nil
  ) throws {
    self.values = Self.add(self.values, values)
    self.bytes = Self.add(self.bytes, bytes)
    if viaAlias { aliasValues = Self.add(aliasValues, values) }
    func fail(_ message: String) -> ConfigParseError {
      ConfigParseError(message: message, line: line, column: column, document: document)
    }
    if aliasValues > limits.maxAliasValues {
      throw fail(
        "YAML aliases expand to more than \(limits.maxAliasValues) values (limit maxAliasValues)")
    }
    if self.values > limits.maxValues {
      throw fail("body expands to more than \(limits.maxValues) values (limit maxValues)")
    }
    if self.bytes > limits.maxBytes {
      throw fail("body expands to more than \(limits.maxBytes) bytes of text (limit maxBytes)")
    }
  }

  private static func add(_ a: Int, _ b: Int) -> Int {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? .max : sum
  }
}
