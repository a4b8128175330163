import Foundation
import GRPCCore
import Synchronization

/// Decoded `resource_names` lists by their encoded bytes, shared by every stream.
///
/// Envoy repeats every subscribed name on each SotW ACK, and the sidecars of a namespace all
/// subscribe to the same thousand or so EDS clusters. Decoding those names again per ACK was a
/// fifth of the server's CPU in an endpoint push, and keeping a private copy per stream was a
/// large share of its memory; one shared array per distinct list costs neither.
///
/// A lookup reads the request's bytes where they lie (no copy) and hashes a sample of them;
/// a hit is confirmed by comparing all the bytes, so the sample only has to spread lists over
/// buckets, not tell them apart.
final class ResourceNameLists: Sendable {
  struct Entry: Sendable {
    let bytes: [UInt8]
    let names: [String]
  }

  /// Distinct lists kept; beyond it the table starts over (lists are cheap to decode again).
  static let capacity = 512
  /// Lists kept per hash; a client sending lists that differ only outside the sample cannot
  /// make a lookup compare more than this many.
  static let bucketLimit = 4
  /// Estimated bytes all kept lists may hold (their bytes and decoded names); a list that would
  /// pass it starts the table over. A client choosing its lists freely can make the table hold
  /// no more than this, however large or many its requests.
  let byteBudget: Int
  private let buckets = Mutex<(count: Int, bytes: Int, byHash: [UInt64: [Entry]])>((0, 0, [:]))

  /// - Parameter byteBudget: the estimated bytes kept at most; a list costing more than an
  ///   eighth of it is decoded every time instead (no sidecar's ACK is that large).
  init(byteBudget: Int = 64 * 1024 * 1024) {
    self.byteBudget = byteBudget
  }

  /// Estimated bytes held and kept in the table now.
  var heldBytes: Int { buckets.withLock { $0.bytes } }
  /// Lists kept now.
  var count: Int { buckets.withLock { $0.count } }

  /// The names encoded in `raw` (a run of `resource_names` fields), decoding them on a miss.
  ///
  /// - Throws: what `decode` throws, or `RPCError` (INVALID_ARGUMENT) when the list holds more
  ///   than `maxNames` names; a list refused so is never kept.
  func names(
    encodedIn raw: UnsafeRawBufferPointer, maxNames: Int = .max,
    decode: ([UInt8]) throws -> [String]
  ) throws -> [String] {
    let hash = Self.sampleHash(raw)
    let hit = buckets.withLock { table in
      table.byHash[hash]?.first { Self.equal($0.bytes, raw) }?.names
    }
    if let hit { return hit }
    let bytes = Array(raw)
    let decoded = try decode(bytes)
    guard decoded.count <= maxNames else {
      throw RPCError(
        code: .invalidArgument,
        message: "request names \(decoded.count) resources; the limit is \(maxNames)")
    }
    let cost = Self.cost(bytes: bytes.count, names: decoded.count)
    guard cost <= byteBudget / 8 else { return decoded }
    buckets.withLock { table in
      if table.count >= Self.capacity || table.bytes + cost > byteBudget {
        table = (0, 0, [:])
      }
      var bucket = table.byHash[hash] ?? []
      if bucket.count >= Self.bucketLimit {
        let evicted = bucket.removeFirst()
        table.bytes -= Self.cost(bytes: evicted.bytes.count, names: evicted.names.count)
      } else {
        table.count += 1
      }
      bucket.append(Entry(bytes: bytes, names: decoded))
      table.bytes += cost
      table.byHash[hash] = bucket
    }
    return decoded
  }

  /// What a kept list holds: its bytes, and per name an array slot plus a heap string (names
  /// of more than 15 UTF-8 bytes are not stored inline), whose bytes are about the list's own.
  static func cost(bytes: Int, names: Int) -> Int {
    2 * bytes + names * 48 + 64
  }

  static func equal(_ bytes: [UInt8], _ raw: UnsafeRawBufferPointer) -> Bool {
    guard bytes.count == raw.count else { return false }
    return bytes.withUnsafeBytes { stored in
      guard let left = stored.baseAddress, let right = raw.baseAddress else { return true }
      return memcmp(left, right, raw.count) == 0
    }
  }

  /// Hashes the length, the first and last 64 bytes and every 16th eight-byte word between:
  /// about 1/16 of a list of thousands of names, which runs on every ACK.
  static func sampleHash(_ raw: UnsafeRawBufferPointer) -> UInt64 {
    var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(raw.count)
    func mix(_ word: UInt64) {
      hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
      hash ^= hash >> 29
    }
    guard raw.count >= 8 else {
      for byte in raw { mix(UInt64(byte)) }
      return hash
    }
    let edge = min(64, raw.count - 8)
    var offset = 0
    while offset <= edge {
      mix(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
      offset += 8
    }
    while offset + 8 <= raw.count - 64 {
      mix(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
      offset += 128
    }
    offset = max(0, raw.count - 64)
    while offset + 8 <= raw.count {
      mix(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
      offset += 8
    }
    mix(raw.loadUnaligned(fromByteOffset: raw.count - 8, as: UInt64.self))
    return hash
  }
}
