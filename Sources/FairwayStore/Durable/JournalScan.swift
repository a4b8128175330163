/// What one pass over `journal.log` found: the records that frame, check and decode, in order,
/// and the first damage, if any.
///
/// A record is a 4-byte big-endian payload length, a 4-byte CRC-32 of the payload and the
/// payload (a JSON object). Damage is told apart by what follows it: a bad or incomplete record
/// with no well-formed record anywhere after it is a *torn tail* (a crash while appending; the
/// only damage `load` repairs by itself), one with a well-formed record after it is corruption
/// before the tail, and a record whose checksum is good but whose payload does not decode
/// (bit rot that kept the checksum is unlikely; a config today's validation refuses is not) is
/// never dropped silently either.
public struct JournalScan: Sendable {
  /// The first damage in the file.
  public struct Damage: Sendable, Equatable, CustomStringConvertible {
    /// How the journal is damaged.
    public enum Kind: Sendable, Equatable {
      /// The last record is incomplete or fails its checksum, and nothing valid follows it.
      case tornTail
      /// A record that fails its length or checksum with well-formed records after it.
      case corrupt
      /// A record with a good checksum whose payload does not decode or validate.
      case undecodable
    }

    public var kind: Kind
    /// Byte offset of the damaged record in `journal.log`.
    public var offset: Int
    /// Bytes from `offset` to the end of the file.
    public var bytes: Int
    public var reason: String
    /// Well-formed records (good checksums) found after the damage: acknowledged changes a
    /// repair would move aside with it.
    public var recordsAfter: Int

    public var description: String {
      switch kind {
      case .tornTail:
        return "torn tail at offset \(offset) (\(bytes) bytes, \(reason))"
      case .corrupt:
        return
          "damaged record at offset \(offset): \(reason); \(recordsAfter) well-formed record(s) follow it in the remaining \(bytes) bytes"
      case .undecodable:
        return
          "record at offset \(offset) has a good checksum but cannot be loaded: \(reason); \(recordsAfter) well-formed record(s) follow it"
      }
    }
  }

  /// Decoded changes after `snapshotRevision`, in file order.
  public internal(set) var entries: [JournalEntry] = []
  /// Records that frame and check (including those already folded into the snapshot).
  public internal(set) var records = 0
  /// End of the last good record: the length the file has once damage is cut away.
  internal(set) var validEnd = 0
  /// Revision of the last good record (0 when there is none).
  internal(set) var lastRevision: Int64 = 0
  public internal(set) var damage: Damage?

  /// Scans `bytes`; records at or below `snapshotRevision` are checked but not decoded in full
  /// (the snapshot already holds them).
  public init(_ bytes: [UInt8], snapshotRevision: Int64) {
    var offset = 0
    while offset < bytes.count {
      let payload: ArraySlice<UInt8>
      switch Self.frame(bytes, at: offset) {
      case .failure(let reason):
        damage = Self.classify(bytes, at: offset, reason: reason)
        return
      case .success(let found):
        payload = found
      }
      let next = payload.endIndex
      do {
        let envelope = try JournalCodec.decodeEnvelope(payload)
        if envelope.revision > snapshotRevision, envelope.revision > lastRevision {
          entries.append(try JournalCodec.decode(envelope))
        }
        lastRevision = max(lastRevision, envelope.revision)
      } catch {
        damage = Damage(
          kind: .undecodable, offset: offset, bytes: bytes.count - offset, reason: "\(error)",
          recordsAfter: Self.wellFormedRecords(bytes, from: next))
        return
      }
      records += 1
      offset = next
      validEnd = next
    }
  }

  /// Whether a well-formed record starts at `offset`; `.failure` says why not.
  enum Framing {
    case success(ArraySlice<UInt8>)
    case failure(String)
  }

  static func frame(_ bytes: [UInt8], at offset: Int) -> Framing {
    let remaining = bytes.count - offset
    guard remaining >= 8 else { return .failure("incomplete record header (\(remaining) bytes)") }
    let length = Int(readUInt32(bytes, offset))
    let start = offset + 8
    // We never write an empty payload; a zero header is unwritten (zero-filled) space.
    guard length > 0 else { return .failure("zero record length") }
    guard length <= bytes.count - start else {
      return .failure("record of \(length) bytes runs past the end of the file")
    }
    let payload = bytes[start..<(start + length)]
    guard CRC32.checksum(payload) == readUInt32(bytes, offset + 4) else {
      return .failure("checksum mismatch")
    }
    return .success(payload)
  }

  /// A failed record is a torn tail only when no well-formed record starts anywhere after it.
  /// Candidates must start with `{` (every payload is a JSON object) before their checksum is
  /// computed, which keeps this scan cheap over a long damaged region.
  private static func classify(_ bytes: [UInt8], at offset: Int, reason: String) -> Damage {
    var candidate = offset + 1
    while candidate + 8 < bytes.count {
      if bytes[candidate + 8] == UInt8(ascii: "{"), case .success = frame(bytes, at: candidate) {
        return Damage(
          kind: .corrupt, offset: offset, bytes: bytes.count - offset,
          reason: reason + " (next well-formed record at offset \(candidate))",
          recordsAfter: wellFormedRecords(bytes, from: candidate))
      }
      candidate += 1
    }
    return Damage(
      kind: .tornTail, offset: offset, bytes: bytes.count - offset, reason: reason,
      recordsAfter: 0)
  }

  /// Consecutive well-formed records from `offset` (resynchronising past further damage).
  private static func wellFormedRecords(_ bytes: [UInt8], from offset: Int) -> Int {
    var count = 0
    var position = offset
    while position + 8 < bytes.count {
      if bytes[position + 8] == UInt8(ascii: "{"),
        case .success(let payload) = frame(bytes, at: position)
      {
        count += 1
        position = payload.endIndex
      } else {
        position += 1
      }
    }
    return count
  }

  static func readUInt32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
    (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[offset + $1]) }
  }
}
