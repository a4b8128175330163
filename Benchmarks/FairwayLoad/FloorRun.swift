import ArgumentParser
import FairwayBenchSupport
import Foundation

/// `fairway-load grpc-floor`: the same simulated sidecars as `run`, against `FloorServer`
/// instead of Fairway, and the same fan-out measured: from the push until the last stream has
/// it. The gRPC counterpart of the minimal socket writer.
struct FloorRun: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "grpc-floor",
    abstract: "Time a fan-out by a grpc-swift server that does nothing of its own.")

  @Option(help: "Simulated sidecars (ADS streams).") var sidecars = 2000
  @Option(help: "HTTP/2 connections the streams are spread over.") var connections = 20
  @Flag(help: "Delta xDS with VHDS on demand (pushes a VirtualHost) instead of SotW (an RDS).")
  var delta = false
  @Option(help: "VHDS names each sidecar subscribes to (Delta).") var vhdsHosts = 10
  @Option(help: "Bytes of each pushed message.") var bytes = 687
  @Option(help: "Pushes to measure.") var pushes = 10
  @Option(help: "Seconds the fleet may take to sync.") var syncTimeout = 120.0
  @Flag(help: "One task writes a push to every stream in turn (no per-stream task wake-up).")
  var direct = false
  @Option(help: "Directory for logs.") var out = "bench-results"

  func run() async throws {
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    let server = try FloorProcess(
      delta: delta, direct: direct, logPath: "\(out)/floor-server.log")
    defer { server.stop() }
    try await server.waitListening()
    say(
      "grpc floor: \(sidecars) sidecars over \(connections) connections, \(delta ? "Delta, VHDS" : "SotW, RDS") push of \(bytes) B"
        + (direct ? ", written by one task" : ", written by each stream's task")
    )
    let mesh = MeshGenerator(services: 1000, endpoints: 10, namespaces: 1)
    let sidecarList = (0..<sidecars).map { i in
      var identity = mesh.sidecar(i)
      if delta {
        identity.vhds = "on-demand"
        identity.vhdsHosts = mesh.vhdsHosts(i, count: vhdsHosts, first: [])
      }
      return identity
    }
    let probe = Probe()
    let typeURL = delta ? TypeURL.virtualHost : TypeURL.route
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask {
        try await Fleet.run(
          sidecars: sidecarList, connections: connections, port: server.port, delta: delta,
          probe: probe)
      }
      defer {
        probe.stopping.store(true, ordering: .relaxed)
        group.cancelAll()
      }
      let start = wallClock()
      while probe.synced.load(ordering: .relaxed) < sidecars, wallClock() < start + syncTimeout,
        probe.errors.load(ordering: .relaxed) == 0
      {
        try await Task.sleep(for: .milliseconds(5))
      }
      let synced = probe.synced.load(ordering: .relaxed)
      say("  \(synced)/\(sidecars) streams synced in \(ms(wallClock() - start)) ms")
      guard synced == sidecars else {
        say(
          "  errors: \(probe.errors.load(ordering: .relaxed)), first: \(probe.firstErrorMessage ?? "")"
        )
        return
      }
      try await Task.sleep(for: .seconds(2))
      var samples: [Double] = []
      var size = 0
      let serverCPU = processCPUSeconds(server.pid)
      let clientCPU = processCPUSeconds(getpid())
      for generation in 1...max(1, pushes) {
        let armed = probe.arm(marker: FloorServer.marker(generation), typeURL: typeURL)
        let pushed = wallClock()
        try server.push(generation: generation, bytes: bytes)
        var progress = probe.progress(armed)
        while progress.count < sidecars, wallClock() < pushed + 30 {
          try await Task.sleep(for: .milliseconds(1))
          progress = probe.progress(armed)
        }
        probe.disarm()
        guard progress.count == sidecars else {
          say("  push \(generation): \(progress.count)/\(sidecars) streams in 30 s")
          continue
        }
        samples.append(progress.last - pushed)
        size = progress.bytes
        // As long as a VirtualService change takes with Fairway's default debounce, so that
        // the ACKs of one push land before the next.
        try await Task.sleep(for: .milliseconds(300))
      }
      let serverShare = (processCPUSeconds(server.pid) - serverCPU) / Double(max(1, pushes))
      let clientShare = (processCPUSeconds(getpid()) - clientCPU) / Double(max(1, pushes))
      if !samples.isEmpty {
        say(
          "  CPU per push (with its ACKs): server \(ms(serverShare)) ms, simulated sidecars \(ms(clientShare)) ms"
        )
        say("  fan-out: \(Summary(samples)); each: \(samples.map(ms).joined(separator: " "))")
        say("  message size received: \(size) B")
      }
    }
  }
}

/// `fairway-load floor-server` in a child process: ADS on a free loopback port, pushes on stdin.
final class FloorProcess: @unchecked Sendable {
  // @unchecked: only the driver task touches `process` and `input`.
  let port: Int
  private let process = Process()
  private let input = Pipe()

  init(delta: Bool, direct: Bool, logPath: String) throws {
    port = try freePort()
    process.executableURL = ownExecutable()
    process.arguments =
      ["floor-server", "--port", "\(port)"] + (delta ? ["--delta"] : [])
      + (direct ? ["--direct"] : [])
    process.standardInput = input
    try process.run(loggingTo: logPath)
  }

  /// Waits until the child accepts connections on `port`.
  func waitListening(timeout: Double = 30) async throws {
    let deadline = wallClock() + timeout
    while wallClock() < deadline {
      guard process.isRunning else { throw LoadError.server("floor server exited") }
      if canConnect(port: port) { return }
      try await Task.sleep(for: .milliseconds(50))
    }
    throw LoadError.timeout("floor server not listening in \(timeout) s")
  }

  var pid: Int32 { process.processIdentifier }

  func push(generation: Int, bytes: Int) throws {
    try input.fileHandleForWriting.write(contentsOf: Data("push \(generation) \(bytes)\n".utf8))
  }

  func stop() {
    try? input.fileHandleForWriting.close()
    process.stop()
  }
}

/// The child side of `FloorProcess`.
struct FloorServe: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "floor-server", abstract: "The server of `grpc-floor` (pushes on stdin).",
    shouldDisplay: false)

  @Option(help: "ADS port on 127.0.0.1.") var port: Int
  @Flag(help: "Serve Delta ADS instead of SotW.") var delta = false
  @Flag(help: "Write pushes from one task.") var direct = false

  func run() async throws {
    try await FloorServer(delta: delta, direct: direct).serve(port: port)
  }
}
