/// How bad an analysis message is, ordered like istioctl's levels: `Info < Warning < Error`.
public enum Severity: String, Sendable, CaseIterable, Comparable, Codable {
  case info = "Info"
  case warning = "Warning"
  case error = "Error"

  /// Accepts `Error`, `Warning` (or istioctl's older `Warn`) and `Info`, in any case.
  public init?(userInput: String) {
    switch userInput.lowercased() {
    case "error": self = .error
    case "warning", "warn": self = .warning
    case "info": self = .info
    default: return nil
    }
  }

  private var rank: Int {
    switch self {
    case .info: return 0
    case .warning: return 1
    case .error: return 2
    }
  }

  public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}
