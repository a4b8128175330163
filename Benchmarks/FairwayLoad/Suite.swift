import ArgumentParser
import Foundation

/// Every scenario of issue 7 at one scale; prints as it goes and writes a Markdown report.
struct Suite: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "suite", abstract: "All scenarios; --scale quick (under 2 minutes) or full.")

  enum Scale: String, ExpressibleByArgument, CaseIterable {
    case quick
    case full
  }

  @Option(help: "quick or full.") var scale: Scale = .quick
  @Option(help: "Path of the fairway binary.") var fairway: String?
  @Option(help: "Directory for the report and server logs.") var out = "bench-results"
  @Option(help: "Only these scenarios (comma-separated labels).") var only: String?

  func scenarios() -> [Scenario] {
    let storm = ["--new-streams-per-second", "100000"]
    switch scale {
    case .quick:
      return [
        Scenario(
          label: "main-sotw", sidecars: 300, services: 100, workloadEntryChanges: 8,
          virtualServiceChanges: 8, fanOutBaseline: true),
        Scenario(
          label: "main-delta", sidecars: 300, services: 100, delta: true, workloadEntryChanges: 5,
          virtualServiceChanges: 5),
        Scenario(
          label: "storm", sidecars: 2_000, services: 100, connections: 40, workloadEntryChanges: 0,
          virtualServiceChanges: 0, serverArguments: storm),
        Scenario(label: "eds-S100", sidecars: 50, services: 100, virtualServiceChanges: 0),
        Scenario(label: "eds-S1000", sidecars: 50, services: 1_000, virtualServiceChanges: 0),
        Scenario(
          label: "grpc", sidecars: 300, services: 100, workloadEntryChanges: 5,
          virtualServiceChanges: 5, grpcTargets: 4),
      ]
    case .full:
      return [
        Scenario(
          label: "main-sotw", sidecars: 2_000, services: 1_000, workloadEntryChanges: 20,
          virtualServiceChanges: 20, fanOutBaseline: true),
        Scenario(
          label: "main-delta", sidecars: 2_000, services: 1_000, delta: true,
          workloadEntryChanges: 10, virtualServiceChanges: 10),
        Scenario(
          label: "grpc", sidecars: 2_000, services: 1_000, workloadEntryChanges: 10,
          virtualServiceChanges: 10, grpcTargets: 4),
        Scenario(label: "N500", sidecars: 500, services: 1_000, fanOutBaseline: true),
        Scenario(label: "N1000", sidecars: 1_000, services: 1_000, fanOutBaseline: true),
        Scenario(
          label: "storm-S100", sidecars: 10_000, services: 100, connections: 100,
          workloadEntryChanges: 0, virtualServiceChanges: 0, serverArguments: storm),
        // The full 1,000-service config is ~1.2 MB per stream: 5,000 streams already move 6 GB.
        Scenario(
          label: "storm-S1000", sidecars: 5_000, services: 1_000, connections: 100,
          workloadEntryChanges: 0, virtualServiceChanges: 0, serverArguments: storm),
        Scenario(label: "eds-S100", sidecars: 100, services: 100, virtualServiceChanges: 3),
        Scenario(label: "eds-S1000", sidecars: 100, services: 1_000, virtualServiceChanges: 3),
        Scenario(label: "eds-S10000", sidecars: 100, services: 10_000, virtualServiceChanges: 3),
        // "Incremental EDS" in xDS terms: Delta streams, whose ACKs do not repeat every name.
        Scenario(
          label: "eds-delta-S1000", sidecars: 100, services: 1_000, delta: true,
          virtualServiceChanges: 0),
        Scenario(
          label: "eds-delta-S10000", sidecars: 100, services: 10_000, delta: true,
          virtualServiceChanges: 0),
      ]
    }
  }

  func run() async throws {
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    let binary = fairway ?? defaultFairwayBinary()
    var results: [ScenarioResult] = []
    let started = wallClock()
    let selected = only.map { Set($0.split(separator: ",").map(String.init)) }
    for scenario in scenarios() where selected?.contains(scenario.label) ?? true {
      let clients = scenario.grpcTargets.map { "proxyless gRPC clients (\($0) services each)" }
      say(
        "[\(scenario.label)] \(scenario.sidecars) \(clients ?? "sidecars") over \(scenario.connections) connections,"
          + " \(scenario.services) services x \(scenario.endpoints) endpoints,"
          + " \(scenario.delta ? "Delta" : "SotW")")
      do {
        results.append(
          try await scenario.run(binary: binary, logDirectory: out) { say($0) })
      } catch {
        say("  failed: \(error)")
        var failed = ScenarioResult(scenario: scenario)
        failed.errors = 1
        failed.firstError = "\(error)"
        results.append(failed)
      }
      if let last = results.last, last.errors > 0 {
        say("  errors: \(last.errors); first: \(last.firstError ?? "")")
      }
    }
    let report = Report(scale: scale.rawValue, results: results, seconds: wallClock() - started)
    let path = "\(out)/load-\(scale.rawValue).md"
    try report.markdown().write(toFile: path, atomically: true, encoding: .utf8)
    say("report written to \(path)")
  }
}
