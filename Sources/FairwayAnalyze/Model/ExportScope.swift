/// Where a config is visible (`exportTo`), read as Fairway's translator reads it: none or `*`
/// is everywhere, `.` the config's own namespace, `~` nowhere, a name that namespace.
struct ExportScope: Sendable, Hashable {
  /// nil: every namespace.
  let namespaces: Set<String>?

  init(exportTo: [String]?, namespace: String) {
    guard let exportTo, !exportTo.isEmpty, !exportTo.contains("*") else {
      namespaces = nil
      return
    }
    var names: Set<String> = []
    for entry in exportTo where entry != "~" {
      names.insert(entry == "." ? namespace : entry)
    }
    namespaces = names
  }

  func isVisible(from namespace: String) -> Bool {
    namespaces?.contains(namespace) ?? true
  }

  /// True when some namespace sees both.
  func overlaps(_ other: ExportScope) -> Bool {
    switch (namespaces, other.namespaces) {
    case (nil, nil): return true
    case (nil, let names?), (let names?, nil): return !names.isEmpty
    case (let mine?, let theirs?): return !mine.isDisjoint(with: theirs)
    }
  }
}
