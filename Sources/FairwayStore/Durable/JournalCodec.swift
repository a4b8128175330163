import FairwayMesh
import Foundation

/// Journal payloads and snapshots as JSON, objects in the shape the admin API serves them.
enum JournalCodec {
  enum CodecError: Error, CustomStringConvertible {
    case malformed(String)

    var description: String {
      switch self {
      case .malformed(let message): return message
      }
    }
  }

  static func encode(_ entry: JournalEntry) throws -> [UInt8] {
    let value: JSONValue
    switch entry {
    case .apply(let revision, let objects):
      value = .object([
        "op": .string("apply"), "revision": .int(revision),
        "objects": .array(objects.map(\.jsonValue)),
      ])
    case .delete(let revision, let key):
      value = .object([
        "op": .string("delete"), "revision": .int(revision),
        "kind": .string(key.kind.rawValue), "namespace": .string(key.namespace),
        "name": .string(key.name),
      ])
    }
    return Array(value.serialized().utf8)
  }

  /// A record's JSON with its operation and revision read, the objects not yet decoded.
  struct Envelope {
    var op: String
    var revision: Int64
    var members: [String: JSONValue]
  }

  static func decodeEnvelope(_ payload: some Collection<UInt8>) throws -> Envelope {
    guard case .object(let members) = try JSONValue.parse(json: Data(payload)),
      case .string(let op)? = members["op"], case .int(let revision)? = members["revision"]
    else { throw CodecError.malformed("record without op/revision") }
    return Envelope(op: op, revision: revision, members: members)
  }

  static func decode(_ payload: [UInt8]) throws -> JournalEntry {
    try decode(decodeEnvelope(payload))
  }

  /// The change a record holds; its objects pass today's parsing and validation.
  static func decode(_ envelope: Envelope) throws -> JournalEntry {
    let members = envelope.members
    let revision = envelope.revision
    switch envelope.op {
    case "apply":
      guard case .array(let documents)? = members["objects"] else {
        throw CodecError.malformed("apply record without objects")
      }
      return .apply(revision: revision, objects: try documents.map(object(from:)))
    case "delete":
      guard case .string(let kindName)? = members["kind"],
        let kind = ConfigKind(rawValue: kindName),
        case .string(let namespace)? = members["namespace"],
        case .string(let name)? = members["name"]
      else { throw CodecError.malformed("delete record without key") }
      return .delete(
        revision: revision, key: ConfigKey(kind: kind, namespace: namespace, name: name))
    default:
      throw CodecError.malformed("unknown op \(envelope.op)")
    }
  }

  static func encodeSnapshot(objects: [ConfigObject], revision: Int64) throws -> Data {
    let value = JSONValue.object([
      "revision": .int(revision), "objects": .array(objects.map(\.jsonValue)),
    ])
    return Data(value.serialized().utf8)
  }

  static func decodeSnapshot(_ data: Data) throws -> ([ConfigObject], Int64) {
    guard case .object(let members) = try JSONValue.parse(json: data),
      case .int(let revision)? = members["revision"],
      case .array(let documents)? = members["objects"]
    else { throw CodecError.malformed("snapshot without revision/objects") }
    return (try documents.map(object(from:)), revision)
  }

  /// Parses a stored object back, keeping the metadata the store assigned (the parser only
  /// carries what users may set).
  static func object(from document: JSONValue) throws -> ConfigObject {
    guard var object = try ConfigParser().objects(from: [document]).objects.first else {
      throw CodecError.malformed("empty object")
    }
    if case .object(let members) = document, case .object(let metadata)? = members["metadata"] {
      if case .int(let generation)? = metadata["generation"] {
        object.metadata.generation = generation
      }
      if case .string(let created)? = metadata["creationTimestamp"] {
        object.metadata.creationTimestamp = created
      }
    }
    return object
  }
}
