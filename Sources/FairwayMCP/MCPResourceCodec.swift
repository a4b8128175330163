import FairwayMesh
import FairwayProto
import FairwayResources
import Foundation
import SwiftProtobuf

/// Converts between stored configs and `istio.mcp.v1alpha1.Resource`s.
///
/// Istio's YAML spec is the proto3 JSON mapping of its spec messages, so the spec goes through
/// swift-protobuf's JSON mapping: spec JSON -> `Message(jsonString:)` -> binary body, and back
/// `jsonString()` -> JSON -> `ConfigParser` (decoding and validation with field paths).
/// Durations and 64-bit integers are bridged by `MCPSpecJSON`.
public enum MCPResourceCodec {
  /// Errors name the resource and, where the JSON mapping says, the field.
  public struct CodecError: Error, Sendable, Equatable, CustomStringConvertible {
    public var resource: String
    public var message: String
    public var description: String { "\(resource): \(message)" }
  }

  /// The MCP resource for `object`: metadata `namespace/name`, a version that is a hash of the
  /// encoded body and metadata (stable across restarts), labels, annotations, and the spec.
  ///
  /// Spec fields outside Protos/istio (fields Fairway's model does not know either) are left
  /// out rather than failing the object.
  public static func resource(for object: ConfigObject) throws(CodecError)
    -> Istio_Mcp_V1alpha1_Resource
  {
    let collection = MCPCollection(kind: object.kind)
    var options = JSONDecodingOptions()
    options.ignoreUnknownFields = true
    let json = MCPSpecJSON.toProtoJSON(object.rawSpec).serialized()
    let body: [UInt8]
    do {
      body = try specBytes(collection, json: json, options: options)
    } catch {
      throw CodecError(resource: "\(object.key)", message: "spec: \(error)")
    }
    var metadata = Istio_Mcp_V1alpha1_Metadata()
    metadata.name = "\(object.namespace)/\(object.name)"
    metadata.labels = object.metadata.labels
    metadata.annotations = object.metadata.annotations
    if let created = object.metadata.creationTimestamp,
      let date = ISO8601DateFormatter().date(from: created)
    {
      metadata.createTime = Google_Protobuf_Timestamp(date: date)
    }
    var resource = Istio_Mcp_V1alpha1_Resource()
    var any = Google_Protobuf_Any()
    any.typeURL = collection.bodyTypeURL
    any.value = Data(body)
    resource.body = any
    metadata.version = versionOf(body: body, metadata: metadata)
    resource.metadata = metadata
    return resource
  }

  /// `resource` packed as a DiscoveryResponse resource (eagerly, so it is encoded once).
  public static func packed(_ resource: Istio_Mcp_V1alpha1_Resource) throws(CodecError)
    -> Google_Protobuf_Any
  {
    var any = Google_Protobuf_Any()
    any.typeURL = MCPCollection.resourceTypeURL
    do {
      any.value = try resource.serializedData()
    } catch {
      throw CodecError(resource: resource.metadata.name, message: "\(error)")
    }
    return any
  }

  /// The Kubernetes-shaped document (`apiVersion`, `kind`, `metadata`, `spec`) of one resource
  /// of `collection`, ready for `ConfigParser.objects(from:)`.
  public static func document(
    from any: Google_Protobuf_Any, collection: MCPCollection, index: Int
  ) throws(CodecError) -> JSONValue {
    let label = "resources[\(index)]"
    guard any.typeURL == MCPCollection.resourceTypeURL else {
      throw CodecError(
        resource: label,
        message: "type_url is \"\(any.typeURL)\", expected \"\(MCPCollection.resourceTypeURL)\"")
    }
    let resource: Istio_Mcp_V1alpha1_Resource
    do {
      resource = try Istio_Mcp_V1alpha1_Resource(serializedBytes: any.value)
    } catch {
      throw CodecError(resource: label, message: "not an istio.mcp.v1alpha1.Resource: \(error)")
    }
    let parts = resource.metadata.name.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
      throw CodecError(
        resource: label,
        message:
          "metadata.name \"\(resource.metadata.name)\" is not \"namespace/name\"")
    }
    let resourceLabel = "\(collection.kind.rawValue) \(resource.metadata.name)"
    guard resource.hasBody, resource.body.typeURL == collection.bodyTypeURL else {
      throw CodecError(
        resource: resourceLabel,
        message:
          "body.type_url is \"\(resource.body.typeURL)\", expected \"\(collection.bodyTypeURL)\"")
    }
    let specJSON: String
    do {
      specJSON = try specJSONText(collection, bytes: resource.body.value)
    } catch {
      throw CodecError(resource: resourceLabel, message: "body: \(error)")
    }
    let spec: JSONValue
    do {
      guard
        let parsed = try ConfigParser().parseDocuments(Data(specJSON.utf8), format: .json).first
      else { throw CodecError(resource: resourceLabel, message: "body: empty") }
      spec = MCPSpecJSON.fromProtoJSON(parsed)
    } catch let error as CodecError {
      throw error
    } catch {
      throw CodecError(resource: resourceLabel, message: "body: \(error)")
    }
    var metadata: [String: JSONValue] = [
      "namespace": .string(String(parts[0])), "name": .string(String(parts[1])),
    ]
    if !resource.metadata.labels.isEmpty {
      metadata["labels"] = .object(resource.metadata.labels.mapValues { .string($0) })
    }
    if !resource.metadata.annotations.isEmpty {
      metadata["annotations"] = .object(resource.metadata.annotations.mapValues { .string($0) })
    }
    return .object([
      "apiVersion": .string("\(ConfigKind.group)/v1alpha3"),
      "kind": .string(collection.kind.rawValue),
      "metadata": .object(metadata),
      "spec": spec,
    ])
  }

  /// A content hash of the body and the user metadata.
  static func versionOf(body: [UInt8], metadata: Istio_Mcp_V1alpha1_Metadata) -> String {
    var bytes = body
    for (key, value) in metadata.labels.sorted(by: { $0.key < $1.key }) {
      bytes += Array("l\(key)=\(value)\n".utf8)
    }
    for (key, value) in metadata.annotations.sorted(by: { $0.key < $1.key }) {
      bytes += Array("a\(key)=\(value)\n".utf8)
    }
    return ContentHash.hex(of: bytes)
  }

  private static func specBytes(
    _ collection: MCPCollection, json: String, options: JSONDecodingOptions
  ) throws -> [UInt8] {
    var encoding = BinaryEncodingOptions()
    encoding.useDeterministicOrdering = true
    switch collection.kind {
    case .virtualService:
      return try Istio_Networking_V1alpha3_VirtualService(jsonString: json, options: options)
        .serializedBytes(options: encoding)
    case .destinationRule:
      return try Istio_Networking_V1alpha3_DestinationRule(jsonString: json, options: options)
        .serializedBytes(options: encoding)
    case .serviceEntry:
      return try Istio_Networking_V1alpha3_ServiceEntry(jsonString: json, options: options)
        .serializedBytes(options: encoding)
    case .workloadEntry:
      return try Istio_Networking_V1alpha3_WorkloadEntry(jsonString: json, options: options)
        .serializedBytes(options: encoding)
    case .workloadGroup, .sidecar, .gateway:
      throw NoSpecMessage(kind: collection.kind)
    }
  }

  private static func specJSONText(_ collection: MCPCollection, bytes: Data) throws -> String {
    switch collection.kind {
    case .virtualService:
      return try Istio_Networking_V1alpha3_VirtualService(serializedBytes: bytes).jsonString()
    case .destinationRule:
      return try Istio_Networking_V1alpha3_DestinationRule(serializedBytes: bytes).jsonString()
    case .serviceEntry:
      return try Istio_Networking_V1alpha3_ServiceEntry(serializedBytes: bytes).jsonString()
    case .workloadEntry:
      return try Istio_Networking_V1alpha3_WorkloadEntry(serializedBytes: bytes).jsonString()
    case .workloadGroup, .sidecar, .gateway:
      throw NoSpecMessage(kind: collection.kind)
    }
  }

  /// A kind with no spec message in Protos/istio yet, so not an MCP collection.
  private struct NoSpecMessage: Error, CustomStringConvertible {
    let kind: ConfigKind
    var description: String { "\(kind.rawValue) is not an MCP collection here" }
  }
}
