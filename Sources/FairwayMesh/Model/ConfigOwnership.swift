/// Configs written by a source other than the admin API carry the source's mark, and the admin
/// API refuses to change or delete them (or to set the mark itself): the source would overwrite
/// the edit, or the edit would impersonate the source.
///
/// Two marks, because the two kinds of source name themselves differently: a local controller
/// (the Dubbo registry, auto-registration) by a short name that fits a label value, so
/// `fairway get -l` can select its objects; an MCP-over-xDS upstream by its address
/// (`xds://127.0.0.1:15010`), which does not fit a label value and goes in an annotation.
public enum ConfigOwnership {
  /// The label naming the local controller that owns an object (`dubbo-zookeeper`,
  /// `auto-registration`).
  public static let managedByLabel = "fairway.io/managed-by"

  /// The annotation naming the owning MCP source, e.g. `xds://127.0.0.1:15010`.
  public static let sourceAnnotation = "fairway.io/config-source"

  /// The MCP source that owns `object`, if any.
  public static func source(of object: ConfigObject) -> String? {
    object.metadata.annotations[sourceAnnotation]
  }

  /// Whoever owns `object` and the field that says so, when it is not the admin API's.
  public static func owner(of object: ConfigObject) -> (owner: String, field: String)? {
    if let controller = object.metadata.managedBy {
      return (controller, "metadata.labels.\(managedByLabel)")
    }
    if let source = source(of: object) {
      return (source, "metadata.annotations.\(sourceAnnotation)")
    }
    return nil
  }
}

extension ConfigMetadata {
  /// The label `ConfigOwnership.managedByLabel`, spelt where metadata is built.
  public static var managedByLabel: String { ConfigOwnership.managedByLabel }

  /// The owning local controller, when one (not the admin API) owns the object.
  public var managedBy: String? { labels[ConfigOwnership.managedByLabel] }
}
