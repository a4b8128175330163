/// The type URLs this server does not serve that one stream asked for, each with the latest
/// nonce sent for it: enough to tell an ACK of the empty answer from a stale request.
///
/// A client chooses type URLs freely, so this keeps a fixed number of entries of fixed size (a
/// hash of the type URL, not the URL itself) whatever a client sends; a forgotten type's later
/// ACK is classified as stale, which changes nothing but the verdict.
struct UnknownTypes: Sendable, Equatable {
  /// Type URLs remembered per stream; beyond it the oldest is forgotten.
  static let capacity = 8
  /// Longer type URLs are counted but not answered: real ones are under 100 bytes, and the
  /// answer echoes the URL.
  static let maxAnsweredTypeURLBytes = 1024

  private var latest: [(key: Int, nonce: String)] = []

  static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.latest.elementsEqual(rhs.latest) { $0.key == $1.key && $0.nonce == $1.nonce }
  }

  /// How a request for `typeURL` relates to what was sent for it: a first request, a
  /// re-request, an ACK or NACK of the latest answer, or stale.
  func verdict(typeURL: String, nonce: String, error: String?) -> RequestVerdict {
    let key = typeURL.hashValue
    let sent = latest.last(where: { $0.key == key })?.nonce
    if nonce.isEmpty { return sent == nil ? .initial : .rerequest }
    guard nonce == sent else { return .stale }
    guard let error else { return .ack }
    return .nack(error)
  }

  mutating func recordSent(nonce: String, typeURL: String) {
    let key = typeURL.hashValue
    latest.removeAll { $0.key == key }
    if latest.count >= Self.capacity { latest.removeFirst() }
    latest.append((key, nonce))
  }

  /// How many type URLs are remembered (never more than `capacity`).
  var count: Int { latest.count }
}
