import FairwayProto
import FairwayResources
import SwiftProtobuf

/// A sidecar route configuration assembled from encoded virtual hosts: its bytes are the name
/// field, each host's bytes as one `virtual_hosts` entry (a repeated message field is just its
/// entries' `tag + length + bytes` one after another) and `validate_clusters`, in field order,
/// which is what serializing the whole message deterministically gives.
package struct SidecarRouteConfig: Sendable {
  /// The configuration's name, the port number (`"8080"`).
  package let name: String
  /// Its virtual hosts, in order.
  package let virtualHosts: [EncodedVirtualHost]
  /// The configuration as an RDS resource.
  package let resource: EncodedResource
  /// Some route injects faults: the HttpConnectionManager needs the fault filter.
  let usesFault: Bool
  /// Some route has a CORS policy: the CORS filter must be in the chain.
  let usesCors: Bool

  init(name: String, virtualHosts: [EncodedVirtualHost]) {
    self.name = name
    self.virtualHosts = virtualHosts
    usesFault = virtualHosts.contains(where: \.usesFault)
    usesCors = virtualHosts.contains(where: \.usesCors)
    let tail = Self.validateClustersField
    var size = ProtoWire.fieldSize(1, string: name) + tail.count
    for host in virtualHosts { size += ProtoWire.fieldSize(2, count: host.bytes.count) }
    resource = EncodedResource(name: name, type: .route, valueCount: size) { buffer in
      ProtoWire.appendField(1, string: name, to: &buffer)
      for host in virtualHosts { ProtoWire.appendField(2, bytes: host.bytes, to: &buffer) }
      buffer.append(contentsOf: tail)
    }
  }

  /// `validate_clusters` (7) set to false, as every sidecar route configuration has it (the
  /// clusters of other services may not have arrived yet when routes do).
  static let validateClustersField: [UInt8] = {
    var config = Envoy_Config_Route_V3_RouteConfiguration()
    config.validateClusters = Google_Protobuf_BoolValue(false)
    return (try? config.serializedBytes()) ?? [7 << 3 | 2, 0]
  }()
}
