/// How a proxy gets the virtual hosts of its route configurations.
///
/// Envoy takes virtual hosts by VHDS only over Delta xDS, so only an Envoy sidecar on a Delta
/// ADS stream gets anything but `.inline`; SotW clients, MOSN and proxyless gRPC always get
/// classic full RDS. Node metadata `FAIRWAY_VHDS` (`on-demand`, `up-front` or `off`) picks for
/// a Delta Envoy sidecar; without it, on demand.
public enum RouteDelivery: String, Sendable, Hashable, Codable {
  /// Every virtual host inside the RouteConfiguration (RDS).
  case inline = "off"
  /// Route configurations carry `vhds`; the on-demand HTTP filter asks for `PORT/HOST` on a
  /// host's first request, and the sidecar holds only the hosts it calls.
  case onDemand = "on-demand"
  /// Route configurations carry `vhds`; subscribing to a route configuration's name brings
  /// all its virtual hosts at once.
  case upFront = "up-front"

  /// The node metadata key that picks the delivery for a Delta Envoy sidecar.
  public static let metadataKey = "FAIRWAY_VHDS"

  /// What a Delta Envoy sidecar gets when its metadata does not say.
  public static let deltaDefault = RouteDelivery.onDemand

  /// Whether virtual hosts travel as VirtualHost resources.
  public var usesVHDS: Bool { self != .inline }
}
