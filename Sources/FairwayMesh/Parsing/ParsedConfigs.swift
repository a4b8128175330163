/// The outcome of parsing a request body: objects ready to store, plus warnings about
/// fields the model does not know (kept, shown back, but not understood).
public struct ParsedConfigs: Sendable, Equatable {
  public var objects: [ConfigObject]
  public var warnings: [ValidationIssue]

  public init(objects: [ConfigObject], warnings: [ValidationIssue] = []) {
    self.objects = objects
    self.warnings = warnings
  }
}
