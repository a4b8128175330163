extension String {
  /// At most `limit` UTF-8 bytes of the text, then "… (N bytes)" naming its full size: a client
  /// chooses its NACK text freely, so what the server keeps and logs of it is bounded.
  func clipped(toUTF8 limit: Int) -> String {
    guard utf8.count > limit else { return self }
    return String(decoding: utf8.prefix(limit), as: UTF8.self) + "… (\(utf8.count) bytes)"
  }
}
