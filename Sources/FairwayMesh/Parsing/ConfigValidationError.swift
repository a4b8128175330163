/// One or more documents are well-formed but not valid Istio config (HTTP 422).
public struct ConfigValidationError: Error, Sendable, Equatable, CustomStringConvertible {
  public var issues: [ValidationIssue]

  public init(issues: [ValidationIssue]) { self.issues = issues }

  public var description: String { issues.map(\.description).joined(separator: "\n") }
}
