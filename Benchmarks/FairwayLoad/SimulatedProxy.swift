import FairwayProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SwiftProtobuf

/// Who one simulated sidecar is.
struct SidecarIdentity: Sendable {
  var ip: String
  var pod: String
  var namespace: String
  var labels: [String: String]
  /// Set for a proxyless gRPC client: the `xds:///` authorities it calls (LDS names).
  var grpcTargets: [String]?
  /// Delta only: node metadata FAIRWAY_VHDS (`on-demand`, `up-front`, `off`); nil sends none.
  var vhds: String?
  /// On demand: the `PORT/HOST` names the sidecar asks for, as Envoy's on-demand filter does
  /// on the first request to each host it calls.
  var vhdsHosts: [String] = []

  /// Whether the sidecar takes virtual hosts by VHDS (Delta, and not `off`).
  var usesVHDS: Bool { vhds == "on-demand" || vhds == "up-front" }

  var nodeID: String { "sidecar~\(ip)~\(pod).\(namespace)~\(namespace).svc.cluster.local" }

  /// `envoy.config.core.v3.Node` with Istio's metadata, encoded once per stream.
  func encodedNode() -> [UInt8] {
    var node = Envoy_Config_Core_V3_Node()
    node.id = nodeID
    node.cluster = labels["app"] ?? "bench"
    func text(_ value: String) -> Google_Protobuf_Value {
      var result = Google_Protobuf_Value()
      result.stringValue = value
      return result
    }
    var labelStruct = Google_Protobuf_Struct()
    for (key, value) in labels { labelStruct.fields[key] = text(value) }
    var labelValue = Google_Protobuf_Value()
    labelValue.structValue = labelStruct
    node.metadata.fields = [
      "NAMESPACE": text(namespace), "LABELS": labelValue, "ISTIO_VERSION": text("1.24.0"),
      "CLUSTER_ID": text("Kubernetes"), "INSTANCE_IPS": text(ip),
    ]
    if let vhds { node.metadata.fields["FAIRWAY_VHDS"] = text(vhds) }
    if grpcTargets != nil {
      // What Istio's proxyless bootstrap sets, and grpc's own user agent.
      node.metadata.fields["GENERATOR"] = text("grpc")
      node.userAgentName = "grpc-swift"
    } else {
      node.userAgentName = "envoy"
    }
    return (try? node.serializedBytes()) ?? []
  }
}

/// One ADS stream behaving like Envoy: CDS and LDS wildcard, then EDS for the EDS clusters CDS
/// names and RDS for the route configs LDS references; every response is ACKed.
///
/// Or, with `grpcTargets`, like a proxyless gRPC client: LDS for the authorities it calls, then
/// RDS for the route configs their API listeners name, CDS for the clusters those routes use
/// and EDS for those clusters (SotW only, as grpc speaks it).
struct SimulatedProxy: Sendable {
  let id: Int
  let identity: SidecarIdentity
  let delta: Bool
  /// Envoy applies a response on its main thread before it ACKs; nil ACKs at once.
  var ackDelay: Duration?
  let probe: Probe

  static let sotwMethod = MethodDescriptor(
    fullyQualifiedService: "envoy.service.discovery.v3.AggregatedDiscoveryService",
    method: "StreamAggregatedResources")
  static let deltaMethod = MethodDescriptor(
    fullyQualifiedService: "envoy.service.discovery.v3.AggregatedDiscoveryService",
    method: "DeltaAggregatedResources")

  /// Per-type progress of the stream, owned by its response loop.
  private struct TypeState {
    var version = ""
    var nonce = ""
    var received = 0
    var subscribed: Set<String> = []
    /// `resource_names` fields of `subscribed`, encoded once per change: Envoy repeats them on
    /// every ACK, and sorting and encoding a thousand names per ACK would load the client.
    var encodedNames: [UInt8] = []

    mutating func subscribe(_ names: Set<String>) {
      subscribed = names
      encodedNames = []
      for name in names.sorted() { Wire.appendString(3, name, to: &encodedNames) }
    }
  }

  func run(client: GRPCClient<HTTP2ClientTransport.Posix>) async {
    let (requests, outbox) = AsyncStream.makeStream(of: [UInt8].self)
    let node = identity.encodedNode()
    var options = CallOptions.defaults
    options.maxResponseMessageBytes = 512 * 1024 * 1024
    // grpc-swift-nio-transport 2.9 limits the *received* messages of a client stream by this
    // one (its deframer takes `maxRequestMessageBytes`): at 10,000 services EDS is 5 MiB.
    options.maxRequestMessageBytes = 512 * 1024 * 1024
    let request = StreamingClientRequest<[UInt8]>(producer: { writer in
      for await message in requests { try await writer.write(message) }
    })
    do {
      try await client.bidirectionalStreaming(
        request: request, descriptor: delta ? Self.deltaMethod : Self.sotwMethod,
        serializer: RawSerializer(),
        deserializer: ADSResponseDeserializer(
          delta: delta, followsRoutes: identity.grpcTargets != nil, probe: probe),
        options: options
      ) { response in
        var states: [String: TypeState] = [:]
        if let targets = identity.grpcTargets {
          var listeners = TypeState()
          listeners.subscribe(Set(targets))
          states[TypeURL.listener] = listeners
          outbox.yield(self.initial(TypeURL.listener, node: node, names: listeners.encodedNames))
        } else {
          outbox.yield(self.initial(TypeURL.cluster, node: node))
          outbox.yield(self.initial(TypeURL.listener, node: node))
        }
        var isSynced = false
        for try await message in response.messages {
          let now = wallClock()
          probe.responses.add(1, ordering: .relaxed)
          probe.responseBytes.add(message.bytes, ordering: .relaxed)
          if message.markerGeneration > 0 {
            probe.record(
              stream: id, generation: message.markerGeneration, at: now, bytes: message.bytes)
          }
          if let ackDelay { try await Task.sleep(for: ackDelay) }
          for outgoing in handle(message, states: &states) { outbox.yield(outgoing) }
          // VHDS: synced once the wildcard answer and, on demand, the hosts it calls arrived.
          let vhdsSynced =
            !(delta && identity.usesVHDS)
            || (states[TypeURL.virtualHost]?.received ?? 0)
              >= (identity.vhdsHosts.isEmpty ? 1 : 2)
          if !isSynced, vhdsSynced,
            [TypeURL.cluster, TypeURL.endpoint, TypeURL.listener, TypeURL.route].allSatisfy({
              (states[$0]?.received ?? 0) > 0
            })
          {
            isSynced = true
            probe.synced.add(1, ordering: .relaxed)
          }
        }
      }
    } catch {
      probe.fail("stream \(id): \(error)")
    }
    outbox.finish()
  }

  /// The ACK for `message`, and a new subscription when it names resources not yet asked for.
  private func handle(_ message: ADSResponse, states: inout [String: TypeState]) -> [[UInt8]] {
    var state = states[message.typeURL] ?? TypeState()
    state.version = message.version
    state.nonce = message.nonce
    state.received += 1
    states[message.typeURL] = state
    var out: [[UInt8]] = []
    let dependent: String?
    switch message.typeURL {
    case TypeURL.cluster: dependent = TypeURL.endpoint
    case TypeURL.listener: dependent = TypeURL.route
    case TypeURL.route where identity.grpcTargets != nil: dependent = TypeURL.cluster
    default: dependent = nil
    }
    // A SotW RDS response carries only the route configs that changed, so the clusters they
    // use add to the subscription; CDS and LDS responses carry everything, so they replace it.
    let accumulates = message.typeURL == TypeURL.route
    if delta {
      out.append(deltaRequest(message.typeURL, nonce: message.nonce))
      if identity.usesVHDS {
        // Like Envoy: VHDS starts with a request naming nothing once a route config with
        // `vhds` arrived; on demand, the hosts the sidecar calls follow its first answer.
        if message.typeURL == TypeURL.route, states[TypeURL.virtualHost] == nil {
          states[TypeURL.virtualHost] = TypeState()
          out.append(deltaRequest(TypeURL.virtualHost, nonce: ""))
        } else if message.typeURL == TypeURL.virtualHost, state.received == 1,
          !identity.vhdsHosts.isEmpty
        {
          out.append(deltaRequest(TypeURL.virtualHost, nonce: "", subscribe: identity.vhdsHosts))
        }
      }
      if let dependent {
        var child = states[dependent] ?? TypeState()
        let wanted = Set(message.references)
        // Delta CDS carries only changed clusters: drop names of removed ones.
        let gone = child.subscribed.intersection(message.removed)
        let added = wanted.subtracting(child.subscribed)
        if !added.isEmpty || !gone.isEmpty {
          child.subscribed.formUnion(added)
          child.subscribed.subtract(gone)
          states[dependent] = child
          out.append(
            deltaRequest(
              dependent, nonce: "", subscribe: added.sorted(), unsubscribe: gone.sorted()))
        }
      }
    } else {
      out.append(
        sotwRequest(
          message.typeURL, version: message.version, nonce: message.nonce,
          names: state.encodedNames))
      if let dependent {
        var child = states[dependent] ?? TypeState()
        var wanted = Set(message.references)
        if accumulates { wanted.formUnion(child.subscribed) }
        if wanted != child.subscribed {
          child.subscribe(wanted)
          states[dependent] = child
          out.append(
            sotwRequest(
              dependent, version: child.version, nonce: child.nonce, names: child.encodedNames))
        }
      }
    }
    return out
  }

  private func initial(_ typeURL: String, node: [UInt8], names: [UInt8] = []) -> [UInt8] {
    var buffer: [UInt8] = []
    if delta {
      Wire.appendBytes(1, node, to: &buffer)
      Wire.appendString(2, typeURL, to: &buffer)
    } else {
      Wire.appendBytes(2, node, to: &buffer)
      buffer.append(contentsOf: names)
      Wire.appendString(4, typeURL, to: &buffer)
    }
    return buffer
  }

  /// DiscoveryRequest: version_info = 1, resource_names = 3, type_url = 4, response_nonce = 5.
  private func sotwRequest(_ typeURL: String, version: String, nonce: String, names: [UInt8])
    -> [UInt8]
  {
    var buffer: [UInt8] = []
    buffer.reserveCapacity(names.count + 160)
    if !version.isEmpty { Wire.appendString(1, version, to: &buffer) }
    buffer.append(contentsOf: names)
    Wire.appendString(4, typeURL, to: &buffer)
    if !nonce.isEmpty { Wire.appendString(5, nonce, to: &buffer) }
    return buffer
  }

  /// DeltaDiscoveryRequest: type_url = 2, subscribe = 3, unsubscribe = 4, response_nonce = 6.
  private func deltaRequest(
    _ typeURL: String, nonce: String, subscribe: [String] = [], unsubscribe: [String] = []
  ) -> [UInt8] {
    var buffer: [UInt8] = []
    Wire.appendString(2, typeURL, to: &buffer)
    for name in subscribe { Wire.appendString(3, name, to: &buffer) }
    for name in unsubscribe { Wire.appendString(4, name, to: &buffer) }
    if !nonce.isEmpty { Wire.appendString(6, nonce, to: &buffer) }
    return buffer
  }
}
