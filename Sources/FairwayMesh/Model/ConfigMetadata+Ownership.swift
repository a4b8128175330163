extension ConfigMetadata {
  /// Label naming the config source that owns an object (`dubbo-zookeeper`, ...). The admin
  /// API refuses to create, replace or delete objects carrying it: their source rewrites them.
  public static let managedByLabel = "fairway.io/managed-by"

  /// The owning source, when a source (not the admin API) owns the object.
  public var managedBy: String? { labels[Self.managedByLabel] }
}
