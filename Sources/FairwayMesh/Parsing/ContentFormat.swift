/// How a request body is encoded.
public enum ContentFormat: Sendable, Equatable {
  case json
  case yaml
  /// JSON when the first non-blank character is `{` or `[`, YAML otherwise.
  case auto
}
