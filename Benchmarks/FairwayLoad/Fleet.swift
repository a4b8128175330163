import GRPCCore
import GRPCNIOTransportHTTP2

/// N simulated sidecars over M HTTP/2 connections (one `GRPCClient` each), round robin.
enum Fleet {
  static func run(
    sidecars: [SidecarIdentity], connections: Int, port: Int, delta: Bool,
    ackDelay: Duration? = nil, probe: Probe
  ) async throws {
    var clients: [GRPCClient<HTTP2ClientTransport.Posix>] = []
    for _ in 0..<max(1, connections) {
      let transport = try HTTP2ClientTransport.Posix(
        target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext,
        config: .defaults { config in
          // Full configs are hundreds of KiB per stream; do not stall on the 64 KiB default.
          config.http2.targetWindowSize = 8 * 1024 * 1024
          config.http2.maxFrameSize = 1 << 20
        })
      clients.append(GRPCClient(transport: transport))
    }
    let all = clients
    await withDiscardingTaskGroup { group in
      for client in all {
        group.addTask { try? await client.runConnections() }
      }
      await withDiscardingTaskGroup { streams in
        for (index, identity) in sidecars.enumerated() {
          let client = all[index % all.count]
          streams.addTask {
            await SimulatedProxy(
              id: index, identity: identity, delta: delta, ackDelay: ackDelay, probe: probe
            ).run(client: client)
          }
        }
      }
      for client in all { client.beginGracefulShutdown() }
    }
  }
}
