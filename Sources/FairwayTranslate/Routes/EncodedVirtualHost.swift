import FairwayProto
import SwiftProtobuf

/// One virtual host of a sidecar route configuration, serialized once
/// (`envoy.config.route.v3.VirtualHost`, deterministic) and reused: by every later translation
/// while its dependencies are unchanged, by the route configuration that concatenates it
/// (field 2 of `RouteConfiguration`), and as a VHDS `VirtualHost` resource.
package struct EncodedVirtualHost: Sendable {
  /// The virtual host's name, `HOST:PORT` (`allow_any` for the catch-all).
  package let name: String
  /// The domains it answers to, in its encoded order.
  package let domains: [String]
  /// The serialized `VirtualHost` message.
  package let bytes: [UInt8]
  /// Some route injects faults: the listener's HttpConnectionManager needs the fault filter.
  package let usesFault: Bool
  /// Some route has a CORS policy: the CORS filter must be in the chain.
  package let usesCors: Bool
  /// What it was built from; nil for hosts that are never reused (MOSN Dubbo, the catch-all).
  let dependencies: VirtualHostDependencies?

  init?(
    _ host: Envoy_Config_Route_V3_VirtualHost, usesFault: Bool,
    dependencies: VirtualHostDependencies?
  ) {
    var options = BinaryEncodingOptions()
    options.useDeterministicOrdering = true
    guard let bytes: [UInt8] = try? host.serializedBytes(options: options) else { return nil }
    name = host.name
    domains = host.domains
    self.bytes = bytes
    self.usesFault = usesFault
    usesCors = RouteBuilder.usesCors(host)
    self.dependencies = dependencies
  }

  /// The catch-all host, the same in every sidecar route configuration.
  static let allowAny = EncodedVirtualHost(
    RouteBuilder.allowAnyVirtualHost(), usesFault: false, dependencies: nil)
}
