import FairwayBenchSupport
import Foundation

/// One benchmark run: a fresh server, a mesh, N sidecars, then repeated changes.
struct Scenario: Sendable {
  var label: String
  var sidecars: Int
  var services: Int
  var endpoints = 10
  var connections = 20
  var delta = false
  var workloadEntryChanges = 10
  var virtualServiceChanges = 10
  var serverArguments: [String] = []
  /// Run the minimal socket writer for the fan-out ratio.
  var fanOutBaseline = false
  /// Proxyless gRPC clients calling this many services each, instead of Envoy sidecars.
  var grpcTargets: Int?
  /// Time each simulated proxy takes to apply a response before it ACKs.
  var ackDelay: Duration?
  /// Namespaces the services (and their sidecars) are spread over.
  var namespaces = 1
  /// One Sidecar per namespace admitting it and the next two (issue 25).
  var scoped = false
  /// Delta sidecars' FAIRWAY_VHDS: `on-demand`, `up-front` or `off` (full RDS, what the suite's
  /// Delta rows measured before VHDS).
  var vhds = "off"
  /// On demand: how many services each sidecar calls (the VirtualService changes' services
  /// first, so every change reaches every sidecar, then others spread over the mesh).
  var vhdsHosts = 10
  /// Seconds the fleet may take to sync before the run gives up (at least sidecars / 50).
  var syncTimeout = 60.0
}

/// One change's convergence.
struct ChangeSample: Sendable {
  /// From the apply's 200 to the last affected stream receiving the change.
  var endToEnd: Double
  /// The same minus the debounce wait the server reported for that push.
  var afterDebounce: Double
  /// The server's own push time (new translation + waking streams).
  var serverPush: Double
  var responseBytes: Int
  /// Every response byte the fleet received for the change (all types), per reached stream.
  var bytesPerStream = 0
}

struct ScenarioResult: Sendable {
  var scenario: Scenario
  var applySeconds = 0.0
  var connectSeconds = 0.0
  var syncedStreams = 0
  var rssMiB = 0.0
  var peakRSSMiB = 0.0
  var serverCPUSecondsConnect = 0.0
  var workloadEntry: [ChangeSample] = []
  var virtualService: [ChangeSample] = []
  var missedChanges = 0
  var baselineSeconds: Double?
  var errors = 0
  var firstError: String?
}

extension Scenario {
  func run(binary: String, logDirectory: String, log: (String) -> Void) async throws
    -> ScenarioResult
  {
    var result = ScenarioResult(scenario: self)
    let mesh = MeshGenerator(services: services, endpoints: endpoints, namespaces: namespaces)
    let server = try ServerProcess(
      binary: binary, arguments: serverArguments,
      logPath: "\(logDirectory)/server-\(label).log")
    defer { server.stop() }
    try await server.waitReady()
    log("  server pid \(server.pid), log \(server.logPath)")

    let applyStart = wallClock()
    var revision = 0
    let batch = 100
    for start in stride(from: 0, to: services, by: batch) {
      revision = try await server.apply(mesh.yaml(services: start..<min(services, start + batch)))
        .revision
    }
    if scoped {
      revision = try await server.apply(mesh.sidecars()).revision
    }
    _ = try await server.waitPushed(revision: revision, timeout: 600)
    result.applySeconds = wallClock() - applyStart
    log(
      "  mesh applied: \(services) services x \(endpoints) endpoints in \(ms(result.applySeconds)) ms"
    )

    let probe = Probe()
    let changed = (0..<virtualServiceChanges).map { mesh.virtualServiceChangeService($0 + 1) }
    let sidecarList = (0..<sidecars).map { i in
      var identity = grpcTargets.map { mesh.grpcClient(i, count: $0) } ?? mesh.sidecar(i)
      if delta, grpcTargets == nil {
        identity.vhds = vhds
        if vhds == "on-demand" {
          identity.vhdsHosts = mesh.vhdsHosts(i, count: vhdsHosts, first: changed)
        }
      }
      return identity
    }
    let vhdsOn = delta && grpcTargets == nil && (vhds == "on-demand" || vhds == "up-front")
    // The streams a change to service `s` reaches: every sidecar sees every service; a gRPC
    // client only the services it calls.
    let reached = { (s: Int) -> Int in
      guard let count = grpcTargets else {
        // Under the Sidecars, only those whose namespace admits the service's namespace.
        guard scoped else { return sidecars }
        return (0..<sidecars).filter { mesh.scopeAdmits(client: $0 % services, service: s) }.count
      }
      return (0..<sidecars).filter { mesh.grpcTargets($0, count: count).contains(s) }.count
    }
    let cpuBefore = server.cpuSeconds()
    let connectStart = wallClock()
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask {
        try await Fleet.run(
          sidecars: sidecarList, connections: connections, port: server.adsPort, delta: delta,
          ackDelay: ackDelay, probe: probe)
      }
      defer {
        probe.stopping.store(true, ordering: .relaxed)
        group.cancelAll()
      }
      let deadline = connectStart + max(syncTimeout, Double(sidecars) / 50)
      while probe.synced.load(ordering: .relaxed) < sidecars, wallClock() < deadline,
        probe.errors.load(ordering: .relaxed) == 0
      {
        try await Task.sleep(for: .milliseconds(5))
      }
      result.connectSeconds = wallClock() - connectStart
      result.syncedStreams = probe.synced.load(ordering: .relaxed)
      result.serverCPUSecondsConnect = server.cpuSeconds() - cpuBefore
      log(
        "  \(result.syncedStreams)/\(sidecars) streams synced in \(ms(result.connectSeconds)) ms"
          + " (server CPU \(ms(result.serverCPUSecondsConnect)) ms)")
      guard result.syncedStreams == sidecars else {
        result.errors = probe.errors.load(ordering: .relaxed)
        result.firstError = probe.firstErrorMessage
        return
      }
      // Let the last ACKs land and the server settle (it returns freed memory to the OS
      // after a second without responses) before reading memory.
      try await Task.sleep(for: .seconds(3))
      let syncBytes = probe.responseBytes.load(ordering: .relaxed)
      log(
        "  bytes received at sync: \(syncBytes) in all, \(syncBytes / max(sidecars, 1)) per stream")
      result.rssMiB = server.rssMiB()
      result.peakRSSMiB = server.peakRSSMiB()
      log(
        "  server RSS \(String(format: "%.1f", result.rssMiB)) MiB"
          + " (peak \(String(format: "%.1f", result.peakRSSMiB)) MiB)")

      for g in 0..<workloadEntryChanges {
        let change = mesh.workloadEntryChange(g + 1)
        if let sample = try await measure(
          change, typeURL: TypeURL.endpoint,
          streams: reached(mesh.workloadEntryChangeService(g + 1)), probe: probe, server: server)
        {
          result.workloadEntry.append(sample)
        } else {
          result.missedChanges += 1
        }
      }
      if !result.workloadEntry.isEmpty {
        log("  WorkloadEntry end-to-end: \(Summary(result.workloadEntry.map(\.endToEnd)))")
        log("  WorkloadEntry after debounce: \(Summary(result.workloadEntry.map(\.afterDebounce)))")
        log("  WorkloadEntry each change: \(describe(result.workloadEntry))")
      }
      let serverCPU = server.cpuSeconds()
      let clientCPU = processCPUSeconds(getpid())
      for g in 0..<virtualServiceChanges {
        let change = mesh.virtualServiceChange(g + 1)
        if let sample = try await measure(
          change, typeURL: vhdsOn ? TypeURL.virtualHost : TypeURL.route,
          streams: reached(mesh.virtualServiceChangeService(g + 1)), probe: probe, server: server)
        {
          result.virtualService.append(sample)
        } else {
          result.missedChanges += 1
        }
      }
      if !result.virtualService.isEmpty {
        log("  VirtualService end-to-end: \(Summary(result.virtualService.map(\.endToEnd)))")
        log(
          "  VirtualService after debounce: \(Summary(result.virtualService.map(\.afterDebounce)))")
        log("  VirtualService each change: \(describe(result.virtualService))")
        let changes = Double(result.virtualService.count)
        log(
          "  VirtualService CPU per change (with its ACKs and the apply): server \(ms((server.cpuSeconds() - serverCPU) / changes)) ms,"
            + " simulated sidecars \(ms((processCPUSeconds(getpid()) - clientCPU) / changes)) ms")
        log(
          "  VirtualService bytes per sidecar (every type received): "
            + result.virtualService.map { String($0.bytesPerStream) }.joined(separator: " ")
            + " (marker response \(result.virtualService.last?.responseBytes ?? 0) B)")
      }
      result.errors = probe.errors.load(ordering: .relaxed)
      result.firstError = probe.firstErrorMessage
    }
    if fanOutBaseline, let bytes = result.virtualService.last?.responseBytes {
      var runs: [Double] = []
      for _ in 0..<3 { runs.append(try SocketBaseline.measure(count: sidecars, size: bytes)) }
      result.baselineSeconds = Summary(runs).p50
      log("  minimal writer, \(bytes) bytes to \(sidecars) sockets: \(ms(Summary(runs).p50)) ms")
    }
    return result
  }

  /// Each change in order as "after debounce/server push" milliseconds, so a slow one can be
  /// told from a slow run.
  private func describe(_ samples: [ChangeSample]) -> String {
    samples.map { "\(ms($0.afterDebounce))/\(ms($0.serverPush))" }.joined(separator: " ")
  }

  /// Applies one change and waits until all `streams` it reaches have received it.
  private func measure(
    _ change: (yaml: String, marker: [UInt8]), typeURL: String, streams: Int, probe: Probe,
    server: ServerProcess
  ) async throws -> ChangeSample? {
    let generation = probe.arm(marker: change.marker, typeURL: typeURL)
    defer { probe.disarm() }
    let bytesBefore = probe.responseBytes.load(ordering: .relaxed)
    let applied = try await server.apply(change.yaml)
    let deadline = wallClock() + 30
    var progress = probe.progress(generation)
    while progress.count < streams, wallClock() < deadline {
      try await Task.sleep(for: .milliseconds(1))
      progress = probe.progress(generation)
    }
    let push = try await server.waitPushed(revision: applied.revision)
    // A quiet gap so the next change is debounced on its own.
    try await Task.sleep(for: .milliseconds(150))
    guard progress.count >= streams, streams > 0 else { return nil }
    let endToEnd = progress.last - applied.at
    let received = probe.responseBytes.load(ordering: .relaxed) - bytesBefore
    return ChangeSample(
      endToEnd: endToEnd, afterDebounce: endToEnd - push.debounceSeconds,
      serverPush: push.durationSeconds, responseBytes: progress.bytes,
      bytesPerStream: received / streams)
  }
}
