/// A named check over the whole mesh, like one of istioctl's analyzers.
public protocol Analyzer: Sendable {
  /// Stable name, e.g. `virtualservice.DestinationHostAnalyzer`.
  var name: String { get }
  /// One line on what it checks.
  var summary: String { get }
  /// The messages it can report.
  var messageTypes: [MessageType] { get }
  func analyze(_ mesh: MeshModel) -> [AnalysisMessage]
}

/// Every analyzer, in the order `--list-analyzers` prints them.
public enum Analyzers {
  public static let all: [any Analyzer] = [
    DestinationHostAnalyzer(),
    DestinationSubsetAnalyzer(),
    VirtualServiceHostAnalyzer(),
    ConflictingVirtualServiceAnalyzer(),
    ConflictingDestinationRuleAnalyzer(),
    DestinationRuleHostAnalyzer(),
    SubsetSelectionAnalyzer(),
    PortNameAnalyzer(),
    WorkloadSelectorAnalyzer(),
    DubboRouteAnalyzer(),
  ]

  /// Runs `analyzers` (default: all) and returns their messages, most severe first, then by
  /// resource, field and code.
  public static func run(_ mesh: MeshModel, analyzers: [any Analyzer] = all) -> [AnalysisMessage] {
    sorted(analyzers.flatMap { $0.analyze(mesh) })
  }

  /// `messages` errors first, then by resource, field, code and text.
  public static func sorted(_ messages: [AnalysisMessage]) -> [AnalysisMessage] {
    messages.sorted {
      ($1.severity, $0.resource, $0.field, $0.type.code, $0.text)
        < ($0.severity, $1.resource, $1.field, $1.type.code, $1.text)
    }
  }
}
