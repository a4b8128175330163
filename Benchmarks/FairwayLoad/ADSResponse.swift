import GRPCCore

enum TypeURL {
  static let cluster = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
  static let endpoint = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"
  static let listener = "type.googleapis.com/envoy.config.listener.v3.Listener"
  static let route = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"
  static let virtualHost = "type.googleapis.com/envoy.config.route.v3.VirtualHost"
}

/// What a simulated proxy needs from a DiscoveryResponse or DeltaDiscoveryResponse: enough to
/// ACK it and to subscribe to the names it references, nothing more.
struct ADSResponse: Sendable {
  var typeURL = ""
  var version = ""
  var nonce = ""
  /// Every resource name carried (Delta), or for SotW the names the client cares about.
  var names: [String] = []
  /// CDS: clusters of type EDS; LDS: route config names referenced through RDS; RDS (when
  /// following routes): the clusters the routes send to.
  var references: [String] = []
  /// Delta `removed_resources`.
  var removed: [String] = []
  /// The probe generation whose marker this response carries, or 0.
  var markerGeneration = 0
  var bytes = 0
}

/// Decodes responses just far enough (see `ADSResponse`), straight from the received bytes.
struct ADSResponseDeserializer: MessageDeserializer {
  let delta: Bool
  /// A proxyless gRPC client subscribes to clusters by the names its routes use.
  let followsRoutes: Bool
  let probe: Probe

  func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws
    -> ADSResponse
  {
    serializedMessageBytes.withUnsafeBytes { bytes in
      delta ? decodeDelta(bytes) : decodeSotW(bytes)
    }
  }

  private func decodeSotW(_ bytes: UnsafeRawBufferPointer) -> ADSResponse {
    var response = ADSResponse()
    response.bytes = bytes.count
    var resources: [Range<Int>] = []
    Wire.forEachField(bytes, in: 0..<bytes.count) { field in
      switch (field.number, field.wireType) {
      case (1, 2): response.version = Wire.string(bytes, field.range)
      case (2, 2): resources.append(field.range)
      case (4, 2): response.typeURL = Wire.string(bytes, field.range)
      case (5, 2): response.nonce = Wire.string(bytes, field.range)
      default: break
      }
    }
    for any in resources {
      // Any: type_url = 1, value = 2.
      var value: Range<Int>?
      Wire.forEachField(bytes, in: any) { field in
        if field.number == 2, field.wireType == 2 { value = field.range }
      }
      if let value { inspect(resource: value, in: bytes, into: &response) }
    }
    response.markerGeneration = probe.markerGeneration(in: bytes, typeURL: response.typeURL)
    return response
  }

  private func decodeDelta(_ bytes: UnsafeRawBufferPointer) -> ADSResponse {
    var response = ADSResponse()
    response.bytes = bytes.count
    var resources: [Range<Int>] = []
    Wire.forEachField(bytes, in: 0..<bytes.count) { field in
      switch (field.number, field.wireType) {
      case (1, 2): response.version = Wire.string(bytes, field.range)
      case (2, 2): resources.append(field.range)
      case (4, 2): response.typeURL = Wire.string(bytes, field.range)
      case (5, 2): response.nonce = Wire.string(bytes, field.range)
      case (6, 2): response.removed.append(Wire.string(bytes, field.range))
      default: break
      }
    }
    for entry in resources {
      // Resource: version = 1, resource = 2 (Any), name = 3.
      var value: Range<Int>?
      Wire.forEachField(bytes, in: entry) { field in
        switch (field.number, field.wireType) {
        case (2, 2):
          Wire.forEachField(bytes, in: field.range) { inner in
            if inner.number == 2, inner.wireType == 2 { value = inner.range }
          }
        case (3, 2): response.names.append(Wire.string(bytes, field.range))
        default: break
        }
      }
      if let value { inspect(resource: value, in: bytes, into: &response) }
    }
    response.markerGeneration = probe.markerGeneration(in: bytes, typeURL: response.typeURL)
    return response
  }

  /// Collects what the proxy subscribes to next: EDS clusters from a Cluster, RDS names from a
  /// Listener's HttpConnectionManagers.
  private func inspect(
    resource: Range<Int>, in bytes: UnsafeRawBufferPointer, into response: inout ADSResponse
  ) {
    switch response.typeURL {
    case TypeURL.cluster:
      // Cluster: name = 1, type = 2 (EDS = 3).
      var name: String?
      var isEDS = false
      Wire.forEachField(bytes, in: resource) { field in
        if field.number == 1, field.wireType == 2 { name = Wire.string(bytes, field.range) }
        if field.number == 2, field.wireType == 0 { isEDS = field.varint == 3 }
      }
      if isEDS, let name { response.references.append(name) }
    case TypeURL.listener:
      // Listener.filter_chains = 3 and default_filter_chain = 25; FilterChain.filters = 3;
      // Filter.typed_config = 4 (Any). Listener.api_listener = 19; ApiListener.api_listener =
      // 1 (Any). The Any holds an HttpConnectionManager: rds = 3; Rds.route_config_name = 2.
      Wire.forEachField(bytes, in: resource) { field in
        guard field.wireType == 2 else { return }
        if field.number == 19 {
          Wire.forEachField(bytes, in: field.range) { api in
            guard api.number == 1, api.wireType == 2 else { return }
            routeConfigNames(inAny: api.range, in: bytes, into: &response)
          }
          return
        }
        guard field.number == 3 || field.number == 25 else { return }
        Wire.forEachField(bytes, in: field.range) { filter in
          guard filter.number == 3, filter.wireType == 2 else { return }
          Wire.forEachField(bytes, in: filter.range) { typed in
            guard typed.number == 4, typed.wireType == 2 else { return }
            routeConfigNames(inAny: typed.range, in: bytes, into: &response)
          }
        }
      }
    case TypeURL.route where followsRoutes:
      // RouteConfiguration.virtual_hosts = 2; VirtualHost.routes = 3; Route.route = 2;
      // RouteAction.cluster = 1, weighted_clusters = 3; WeightedCluster.clusters = 1;
      // ClusterWeight.name = 1.
      Wire.forEachField(bytes, in: resource) { host in
        guard host.number == 2, host.wireType == 2 else { return }
        Wire.forEachField(bytes, in: host.range) { route in
          guard route.number == 3, route.wireType == 2 else { return }
          Wire.forEachField(bytes, in: route.range) { action in
            guard action.number == 2, action.wireType == 2 else { return }
            Wire.forEachField(bytes, in: action.range) { target in
              guard target.wireType == 2 else { return }
              if target.number == 1 {
                response.references.append(Wire.string(bytes, target.range))
              } else if target.number == 3 {
                Wire.forEachField(bytes, in: target.range) { weight in
                  guard weight.number == 1, weight.wireType == 2,
                    let name = Wire.firstString(bytes, in: weight.range, field: 1)
                  else { return }
                  response.references.append(name)
                }
              }
            }
          }
        }
      }
    default:
      break
    }
  }

  /// The RDS name of an `Any` holding an HttpConnectionManager, if it is one.
  private func routeConfigNames(
    inAny any: Range<Int>, in bytes: UnsafeRawBufferPointer, into response: inout ADSResponse
  ) {
    var isHCM = false
    var value: Range<Int>?
    Wire.forEachField(bytes, in: any) { field in
      if field.number == 1, field.wireType == 2 {
        isHCM = Wire.string(bytes, field.range).hasSuffix("HttpConnectionManager")
      }
      if field.number == 2, field.wireType == 2 { value = field.range }
    }
    guard isHCM, let value else { return }
    Wire.forEachField(bytes, in: value) { hcm in
      guard hcm.number == 3, hcm.wireType == 2,
        let name = Wire.firstString(bytes, in: hcm.range, field: 2)
      else { return }
      response.references.append(name)
    }
  }
}

/// Sends requests that were encoded by hand.
struct RawSerializer: MessageSerializer {
  func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes {
    Bytes(message)
  }
}
