/// Accumulates validation issues for one document while the validator walks it.
struct IssueCollector {
  let document: String
  private(set) var issues: [ValidationIssue] = []

  init(document: String) { self.document = document }

  mutating func add(_ path: String, _ message: String) {
    issues.append(ValidationIssue(document: document, fieldPath: path, message: message))
  }
}
