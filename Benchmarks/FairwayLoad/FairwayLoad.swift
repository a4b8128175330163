import ArgumentParser
import Foundation

/// `fairway-load`: starts the real `fairway serve`, applies a generated mesh, connects N
/// simulated sidecars over M HTTP/2 connections, and measures convergence of changes.
/// See BENCHMARKS.md for what each scenario means and the figures.
@main
struct FairwayLoad: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fairway-load",
    abstract: "Load-test a real fairway server with simulated sidecars.",
    subcommands: [Suite.self, Single.self, FloorRun.self, FloorServe.self],
    defaultSubcommand: Suite.self)
}

/// This executable (`fairway-load`), links resolved.
func ownExecutable() -> URL {
  URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
}

/// Where the `fairway` binary is: next to this executable unless told.
func defaultFairwayBinary() -> String {
  ownExecutable().deletingLastPathComponent().appendingPathComponent("fairway").path
}

struct Single: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "One scenario with explicit sizes.")

  @Option(help: "Simulated sidecars (ADS streams).") var sidecars = 200
  @Option(help: "Services (ServiceEntries).") var services = 100
  @Option(help: "Endpoints (WorkloadEntries) per service.") var endpoints = 10
  @Option(help: "HTTP/2 connections the streams are spread over.") var connections = 20
  @Flag(help: "Delta xDS instead of state of the world.") var delta = false
  @Option(help: "Delta: virtual hosts by VHDS on-demand (the server's default), up-front, or off.")
  var vhds = "on-demand"
  @Option(help: "VHDS on demand: services each sidecar calls (asks a virtual host for).")
  var vhdsHosts = 10
  @Option(help: "Seconds the fleet may take to sync (a loaded machine needs more than 60).")
  var syncTimeout = 60.0
  @Option(help: "WorkloadEntry changes to measure.") var workloadEntryChanges = 5
  @Option(help: "VirtualService changes to measure.") var virtualServiceChanges = 5
  @Flag(help: "Also time the minimal socket writer for the fan-out ratio.") var baseline = false
  @Option(
    help:
      "Milliseconds each simulated proxy spends applying a response before it ACKs (Envoy's apply time)."
  )
  var ackDelayMs = 0
  @Option(help: "Simulate proxyless gRPC clients calling this many services each (SotW).")
  var grpcTargets: Int?
  @Option(help: "Namespaces the services and sidecars are spread over.") var namespaces = 1
  @Flag(help: "One Sidecar per namespace admitting it and the next two namespaces.")
  var scoped = false
  @Option(help: "Path of the fairway binary.") var fairway: String?
  @Option(help: "Directory for logs.") var out = "bench-results"
  @Option(parsing: .upToNextOption, help: "Extra `fairway serve` arguments.")
  var serverArgs: [String] = []

  func validate() throws {
    if let grpcTargets {
      guard grpcTargets > 0, grpcTargets <= services else {
        throw ValidationError("--grpc-targets must be in 1...--services")
      }
      guard !delta else { throw ValidationError("proxyless gRPC clients speak SotW only") }
    }
    guard ackDelayMs >= 0 else { throw ValidationError("--ack-delay-ms must be >= 0") }
    guard ["on-demand", "up-front", "off"].contains(vhds) else {
      throw ValidationError("--vhds must be on-demand, up-front or off")
    }
    guard vhdsHosts >= 1 else { throw ValidationError("--vhds-hosts must be >= 1") }
    // On demand a sidecar holds only the hosts it calls, the changed services first: a change
    // past those reaches no sidecar, and the run would wait for it until its timeout.
    guard !delta || vhds != "on-demand" || virtualServiceChanges <= vhdsHosts else {
      throw ValidationError("--virtual-service-changes must be <= --vhds-hosts on demand")
    }
  }

  func run() async throws {
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    let scenario = Scenario(
      label: "run", sidecars: sidecars, services: services, endpoints: endpoints,
      connections: connections, delta: delta, workloadEntryChanges: workloadEntryChanges,
      virtualServiceChanges: virtualServiceChanges, serverArguments: serverArgs,
      fanOutBaseline: baseline, grpcTargets: grpcTargets,
      ackDelay: ackDelayMs > 0 ? .milliseconds(ackDelayMs) : nil, namespaces: namespaces,
      scoped: scoped, vhds: vhds, vhdsHosts: vhdsHosts, syncTimeout: syncTimeout)
    let clients =
      grpcTargets.map { "proxyless gRPC clients calling \($0) services each" } ?? "sidecars"
    say(
      "scenario: \(sidecars) \(clients), \(services) services x \(endpoints), \(delta ? "Delta, VHDS \(vhds)" : "SotW")"
        + ", \(namespaces) namespace(s)\(scoped ? ", scoped by Sidecars" : "")"
    )
    let result = try await scenario.run(
      binary: fairway ?? defaultFairwayBinary(), logDirectory: out
    ) { say($0) }
    if result.errors > 0 { say("errors: \(result.errors), first: \(result.firstError ?? "")") }
  }
}
