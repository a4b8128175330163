extension Duration {
  /// The duration in seconds, as metrics and the admin API report it.
  package var seconds: Double {
    Double(components.seconds) + Double(components.attoseconds) / 1e18
  }
}
