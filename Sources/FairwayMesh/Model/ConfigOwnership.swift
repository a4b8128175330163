/// Configs written by a source other than the admin API (an MCP-over-xDS upstream) carry the
/// source in this annotation. The admin API refuses to change or delete them, and refuses an
/// apply that sets the annotation itself, so only the source decides what they hold.
public enum ConfigOwnership {
  /// The annotation naming the owning source, e.g. `xds://127.0.0.1:15010`.
  public static let sourceAnnotation = "fairway.io/config-source"

  /// The source that owns `object`, if any.
  public static func source(of object: ConfigObject) -> String? {
    object.metadata.annotations[sourceAnnotation]
  }
}
