/// Istio's `exportTo`: which namespaces may see a config.
struct Visibility: Sendable, Hashable {
  private enum Scope: Sendable, Hashable {
    case everywhere
    case namespaces(Set<String>)
  }

  private let scope: Scope

  /// Interprets `exportTo` written in a config of `namespace`: empty means everywhere, `.` the
  /// config's own namespace, `~` nowhere, `*` everywhere, other entries are namespace names.
  init(exportTo: [String]?, namespace: String) {
    guard let exportTo, !exportTo.isEmpty else {
      scope = .everywhere
      return
    }
    var names: Set<String> = []
    for entry in exportTo {
      switch entry {
      case "*":
        scope = .everywhere
        return
      case ".": names.insert(namespace)
      case "~": continue
      default: names.insert(entry)
      }
    }
    scope = .namespaces(names)
  }

  /// The namespaces that see the config; nil when every one does.
  var namespaces: Set<String>? {
    switch scope {
    case .everywhere: return nil
    case .namespaces(let names): return names
    }
  }

  func isVisible(from namespace: String) -> Bool {
    switch scope {
    case .everywhere: return true
    case .namespaces(let names): return names.contains(namespace)
    }
  }
}
