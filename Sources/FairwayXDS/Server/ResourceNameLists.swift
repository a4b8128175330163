import Foundation
import Synchronization

/// Decoded `resource_names` lists by their encoded bytes, shared by every stream.
///
/// Envoy repeats every subscribed name on each SotW ACK, and the sidecars of a namespace all
/// subscribe to the same thousand or so EDS clusters. Decoding those names again per ACK was a
/// fifth of the server's CPU in an endpoint push, and keeping a private copy per stream was a
/// large share of its memory; one shared array per distinct list costs neither.
final class ResourceNameLists: Sendable {
  struct Key: Hashable, Sendable {
    let bytes: [UInt8]
    let hash: UInt64

    init(_ bytes: [UInt8]) {
      self.bytes = bytes
      self.hash = Self.fastHash(bytes)
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }

    static func == (lhs: Key, rhs: Key) -> Bool {
      guard lhs.hash == rhs.hash, lhs.bytes.count == rhs.bytes.count else { return false }
      return lhs.bytes.withUnsafeBytes { left in
        rhs.bytes.withUnsafeBytes { right in
          guard let l = left.baseAddress, let r = right.baseAddress else { return true }
          return memcmp(l, r, left.count) == 0
        }
      }
    }

    /// Eight bytes per step: the key is tens of KiB, and this runs on every ACK.
    static func fastHash(_ bytes: [UInt8]) -> UInt64 {
      bytes.withUnsafeBytes { raw in
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(raw.count)
        var offset = 0
        while offset + 8 <= raw.count {
          let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
          hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
          hash ^= hash >> 29
          offset += 8
        }
        while offset < raw.count {
          hash = (hash ^ UInt64(raw[offset])) &* 0xC4CE_B9FE_1A85_EC53
          offset += 1
        }
        return hash
      }
    }
  }

  /// Distinct lists kept; beyond it the table starts over (lists are cheap to decode again).
  static let capacity = 512
  private let lists = Mutex<[Key: [String]]>([:])

  init() {}

  /// The names encoded in `key` (a run of `resource_names` fields), decoding them on a miss.
  func names(for key: Key, decode: () throws -> [String]) rethrows -> [String] {
    if let hit = lists.withLock({ $0[key] }) { return hit }
    let decoded = try decode()
    lists.withLock { lists in
      if lists.count >= Self.capacity { lists.removeAll(keepingCapacity: true) }
      lists[key] = decoded
    }
    return decoded
  }
}
