import FairwayProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import SwiftProtobuf
import Synchronization

/// The floor for a gRPC fan-out: an ADS server on grpc-swift-2 and its NIO HTTP/2 transport,
/// configured as `fairway serve` configures them, that does nothing of its own. It answers
/// every request that asks for something with one canned resource of its type (enough for a
/// simulated sidecar to sync), ignores ACKs, and on a push writes one message, encoded once, to
/// every stream. What a push to N streams costs here is what the transport, Swift concurrency
/// and the simulated proxies cost; Fairway's fan-out against it is the share of its own work.
///
/// Driven over stdin, one command per line: `push GENERATION BYTES` sends the VHDS (Delta) or
/// RDS (SotW) resource whose bytes contain `FloorServer.marker(GENERATION)`, padded to about
/// BYTES.
final class FloorServer: Sendable {
  let delta: Bool
  /// Pushes are written by one task, stream after stream, instead of by each stream's own task.
  let direct: Bool
  private struct OpenStream {
    var outbox: AsyncStream<[UInt8]>.Continuation
    var writer: RPCWriter<[UInt8]>
  }
  private let streams = Mutex<[Int: OpenStream]>([:])
  private let nextStream = Atomic<Int>(0)

  init(delta: Bool, direct: Bool) {
    self.delta = delta
    self.direct = direct
  }

  /// The bytes a push of `generation` carries, and nothing else does.
  static func marker(_ generation: Int) -> [UInt8] {
    Array("fairway-floor-\(generation).".utf8)
  }

  func serve(port: Int) async throws {
    let transport = HTTP2ServerTransport.Posix(
      address: .ipv4(host: "127.0.0.1", port: port), transportSecurity: .plaintext,
      config: .defaults { transport in
        transport.http2.maxConcurrentStreams = 4096
        transport.channelDebuggingCallbacks.onAcceptTCPConnection = { channel in
          // Fairway's write buffer water marks (`XDSServer.writeBufferWaterMark`).
          channel.setOption(
            ChannelOptions.writeBufferWaterMark,
            value: .init(low: 2 * 1024 * 1024, high: 4 * 1024 * 1024))
        }
      })
    let server = GRPCServer(transport: transport, services: [FloorService(floor: self)])
    try await withThrowingDiscardingTaskGroup { group in
      group.addTask { try await server.serve() }
      group.addTask {
        // Blocking reads on a thread of their own: a push must not wait for a pool thread.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
          Thread {
            while let line = readLine() {
              let words = line.split(separator: " ")
              guard words.count == 3, words[0] == "push", let generation = Int(words[1]),
                let size = Int(words[2])
              else { continue }
              self.push(generation: generation, size: size)
            }
            done.resume()
          }.start()
        }
        server.beginGracefulShutdown()
      }
    }
  }

  /// Writes the push of `generation` to every open stream.
  private func push(generation: Int, size: Int) {
    let message = pushMessage(generation: generation, size: size)
    let open = streams.withLock { Array($0.values) }
    guard direct else {
      for stream in open { stream.outbox.yield(message) }
      return
    }
    Task {
      for stream in open { try? await stream.writer.write(message) }
    }
  }

  private func pushMessage(generation: Int, size: Int) -> [UInt8] {
    var host = Envoy_Config_Route_V3_VirtualHost()
    host.name = "8080/floor-\(generation)"
    host.domains = [String(decoding: Self.marker(generation), as: UTF8.self)]
    // Padding in the resource itself, as a real table of routes would take the room.
    while host.domains.count * 24 < size - 120 {
      host.domains.append("padding-\(host.domains.count).example")
    }
    let nonce = "push-\(generation)"
    if delta {
      return response(TypeURL.virtualHost, name: host.name, resource: host, nonce: nonce)
    }
    var config = Envoy_Config_Route_V3_RouteConfiguration()
    config.name = "8080"
    config.virtualHosts = [host]
    return response(TypeURL.route, name: config.name, resource: config, nonce: nonce)
  }

  /// The canned answer to a request for `typeURL`: one resource a sidecar syncs on.
  func answer(_ typeURL: String, nonce: String) -> [UInt8]? {
    switch typeURL {
    case TypeURL.cluster:
      var cluster = Envoy_Config_Cluster_V3_Cluster()
      cluster.name = "outbound|8080||floor"
      cluster.type = .eds
      return response(typeURL, name: cluster.name, resource: cluster, nonce: nonce)
    case TypeURL.endpoint:
      var assignment = Envoy_Config_Endpoint_V3_ClusterLoadAssignment()
      assignment.clusterName = "outbound|8080||floor"
      return response(typeURL, name: assignment.clusterName, resource: assignment, nonce: nonce)
    case TypeURL.listener:
      var manager =
        Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager()
      manager.statPrefix = "floor"
      manager.rds.routeConfigName = "8080"
      var filter = Envoy_Config_Listener_V3_Filter()
      filter.name = "envoy.filters.network.http_connection_manager"
      filter.typedConfig = (try? Google_Protobuf_Any(message: manager)) ?? .init()
      var chain = Envoy_Config_Listener_V3_FilterChain()
      chain.filters = [filter]
      var listener = Envoy_Config_Listener_V3_Listener()
      listener.name = "0.0.0.0_8080"
      listener.filterChains = [chain]
      return response(typeURL, name: listener.name, resource: listener, nonce: nonce)
    case TypeURL.route:
      var config = Envoy_Config_Route_V3_RouteConfiguration()
      config.name = "8080"
      return response(typeURL, name: config.name, resource: config, nonce: nonce)
    case TypeURL.virtualHost:
      var host = Envoy_Config_Route_V3_VirtualHost()
      host.name = "8080/floor"
      host.domains = ["floor"]
      return response(typeURL, name: host.name, resource: host, nonce: nonce)
    default:
      return nil
    }
  }

  private func response(
    _ typeURL: String, name: String, resource: some SwiftProtobuf.Message, nonce: String
  ) -> [UInt8] {
    let any = (try? Google_Protobuf_Any(message: resource, typePrefix: "type.googleapis.com"))
    if delta {
      var entry = Envoy_Service_Discovery_V3_Resource()
      entry.name = name
      entry.version = nonce
      entry.resource = any ?? .init()
      var response = Envoy_Service_Discovery_V3_DeltaDiscoveryResponse()
      response.typeURL = typeURL
      response.nonce = nonce
      response.systemVersionInfo = nonce
      response.resources = [entry]
      return (try? response.serializedBytes()) ?? []
    }
    var response = Envoy_Service_Discovery_V3_DiscoveryResponse()
    response.typeURL = typeURL
    response.nonce = nonce
    response.versionInfo = nonce
    response.resources = any.map { [$0] } ?? []
    return (try? response.serializedBytes()) ?? []
  }

  /// Registers a stream's outbox and writer; the returned id removes it.
  func open(_ continuation: AsyncStream<[UInt8]>.Continuation, writer: RPCWriter<[UInt8]>) -> Int {
    let id = nextStream.add(1, ordering: .relaxed).newValue
    streams.withLock { $0[id] = OpenStream(outbox: continuation, writer: writer) }
    return id
  }

  func close(_ id: Int) {
    _ = streams.withLock { $0.removeValue(forKey: id) }
  }
}

/// The two ADS methods of `FloorServer`, on raw bytes.
private struct FloorService: RegistrableRPCService {
  let floor: FloorServer

  func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
    let method = floor.delta ? SimulatedProxy.deltaMethod : SimulatedProxy.sotwMethod
    router.registerHandler(
      forMethod: method, deserializer: RawDeserializer(), serializer: RawSerializer()
    ) { request, _ in
      StreamingServerResponse { writer in
        let (outbox, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        let id = floor.open(continuation, writer: writer)
        defer { floor.close(id) }
        try await withThrowingDiscardingTaskGroup { group in
          group.addTask {
            defer { continuation.finish() }
            var answered = 0
            for try await bytes in request.messages {
              let (typeURL, nonce, names) = Self.read(bytes, delta: floor.delta)
              // Delta: a request without a nonce or with new names asks for an answer; SotW:
              // one without a nonce (the first of its type, or a new subscription by a client
              // that lost its nonce) or with names this server has not answered.
              guard nonce.isEmpty || names else { continue }
              answered += 1
              if let answer = floor.answer(typeURL, nonce: "a\(answered)") {
                continuation.yield(answer)
              }
            }
          }
          for await message in outbox { try await writer.write(message) }
        }
        return [:]
      }
    }
  }

  /// The type URL, the nonce, and whether it (Delta) subscribes to names.
  static func read(_ bytes: [UInt8], delta: Bool) -> (String, String, Bool) {
    bytes.withUnsafeBytes { raw in
      var typeURL = ""
      var nonce = ""
      var names = false
      // Delta: type_url 2, resource_names_subscribe 3, response_nonce 6. SotW: type_url 4,
      // response_nonce 5.
      let (typeField, nonceField) = delta ? (2, 6) : (4, 5)
      Wire.forEachField(raw, in: 0..<raw.count) { field in
        guard field.wireType == 2 else { return }
        if field.number == typeField { typeURL = Wire.string(raw, field.range) }
        if field.number == nonceField { nonce = Wire.string(raw, field.range) }
        if delta, field.number == 3 { names = true }
      }
      return (typeURL, nonce, names)
    }
  }
}

private struct RawDeserializer: MessageDeserializer {
  func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws
    -> [UInt8]
  {
    serializedMessageBytes.withUnsafeBytes { Array($0) }
  }
}
