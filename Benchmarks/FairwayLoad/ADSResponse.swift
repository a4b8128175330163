import GRPCCore

enum TypeURL {
  static let cluster = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
  static let endpoint = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"
  static let listener = "type.googleapis.com/envoy.config.listener.v3.Listener"
  static let route = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"
}

/// What a simulated proxy needs from a DiscoveryResponse or DeltaDiscoveryResponse: enough to
/// ACK it and to subscribe to the names it references, nothing more.
struct ADSResponse: Sendable {
  var typeURL = ""
  var version = ""
  var nonce = ""
  /// Every resource name carried (Delta), or for SotW the names the client cares about.
  var names: [String] = []
  /// CDS: clusters of type EDS; LDS: route config names referenced through RDS.
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
      // Filter.typed_config = 4 (Any); HttpConnectionManager.rds = 3; Rds.route_config_name = 2.
      Wire.forEachField(bytes, in: resource) { chain in
        guard chain.wireType == 2, chain.number == 3 || chain.number == 25 else { return }
        Wire.forEachField(bytes, in: chain.range) { filter in
          guard filter.number == 3, filter.wireType == 2 else { return }
          Wire.forEachField(bytes, in: filter.range) { typed in
            guard typed.number == 4, typed.wireType == 2 else { return }
            var isHCM = false
            var value: Range<Int>?
            Wire.forEachField(bytes, in: typed.range) { any in
              if any.number == 1, any.wireType == 2 {
                isHCM = Wire.string(bytes, any.range).hasSuffix("HttpConnectionManager")
              }
              if any.number == 2, any.wireType == 2 { value = any.range }
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
      }
    default:
      break
    }
  }
}

/// Sends requests that were encoded by hand.
struct RawSerializer: MessageSerializer {
  func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes {
    Bytes(message)
  }
}
