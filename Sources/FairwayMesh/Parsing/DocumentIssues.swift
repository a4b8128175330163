/// Failure to turn one document into a `ConfigObject`: every problem found in it.
public struct DocumentIssues: Error, Sendable, Equatable {
  public var issues: [ValidationIssue]

  public init(issues: [ValidationIssue]) { self.issues = issues }
}
