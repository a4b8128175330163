import FairwayAPI
import FairwayMesh
import Foundation
import Hummingbird

/// Builds responses in the format the client asked for.
enum AdminResponse {
  static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
    var text = value.serialized(pretty: true)
    text += "\n"
    return Response(
      status: status, headers: [.contentType: "application/json"],
      body: .init(byteBuffer: ByteBuffer(string: text)))
  }

  /// An API type (FairwayAPI) as the API encodes it.
  static func json(encoding value: some Encodable, status: HTTPResponse.Status = .ok) throws
    -> Response
  {
    var buffer = ByteBuffer(bytes: try APICoding.encode(value))
    buffer.writeString("\n")
    return Response(
      status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
  }

  /// An API type as JSON, or as YAML when the client asks for it (see `negotiated`). YAML is
  /// written from the JSON the API encodes, so both say the same.
  static func negotiated(
    encoding value: some Encodable, request: Request, status: HTTPResponse.Status = .ok
  ) throws -> Response {
    let accept = request.headers[.accept]?.lowercased() ?? ""
    guard request.uri.queryParameters["format"] == "yaml" || accept.contains("yaml") else {
      return try json(encoding: value, status: status)
    }
    return negotiated(
      try JSONValue.parse(json: APICoding.encode(value)), request: request, status: status)
  }

  static func yaml(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
    Response(
      status: status, headers: [.contentType: "application/yaml"],
      body: .init(byteBuffer: ByteBuffer(string: value.yamlString())))
  }

  /// YAML when `Accept` names a YAML type, JSON otherwise. `?format=yaml` (the status page's
  /// links) also gives YAML, as `text/plain` so a browser shows it instead of downloading it.
  static func negotiated(_ value: JSONValue, request: Request, status: HTTPResponse.Status = .ok)
    -> Response
  {
    if request.uri.queryParameters["format"] == "yaml" {
      return Response(
        status: status, headers: [.contentType: "text/plain; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(string: value.yamlString())))
    }
    let accept = request.headers[.accept]?.lowercased() ?? ""
    return accept.contains("yaml") ? yaml(value, status: status) : json(value, status: status)
  }
}
