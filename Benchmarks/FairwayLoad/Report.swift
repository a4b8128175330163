import Foundation

/// The Markdown report of a suite run.
struct Report {
  let scale: String
  let results: [ScenarioResult]
  let seconds: Double

  func markdown() -> String {
    var lines: [String] = []
    lines.append("# fairway-load suite, scale \(scale)")
    lines.append("")
    lines.append("- date: \(ISO8601DateFormatter().string(from: Date()))")
    lines.append("- cores: \(ProcessInfo.processInfo.activeProcessorCount)")
    lines.append("- suite time: \(String(format: "%.1f", seconds)) s")
    lines.append("")
    lines.append(
      "| scenario | sidecars | conns | services x endpoints | mode | mesh apply ms | connect+sync ms | server CPU during connect ms | RSS MiB (peak) | errors |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    for result in results {
      let s = result.scenario
      lines.append(
        "| \(s.label) | \(s.sidecars) | \(s.connections) | \(s.services) x \(s.endpoints) | \(s.delta ? "Delta" : "SotW") | \(ms(result.applySeconds)) | \(ms(result.connectSeconds)) (\(result.syncedStreams) synced) | \(ms(result.serverCPUSecondsConnect)) | \(String(format: "%.1f", result.rssMiB)) (\(String(format: "%.0f", result.peakRSSMiB))) | \(result.errors)\(result.missedChanges > 0 ? ", \(result.missedChanges) changes not converged in 30 s" : "") |"
      )
    }
    lines.append("")
    lines.append(
      "Convergence (ms): end-to-end = apply's 200 -> last stream has the change; after debounce = end-to-end minus the debounce the server reported; server push = the server's own push time."
    )
    lines.append("")
    lines.append(
      "| scenario | change | n | end-to-end p50 / p99 / max | after debounce p50 / p99 / max | server push p50 | response bytes |"
    )
    lines.append("|---|---|---|---|---|---|---|")
    for result in results {
      for (name, samples) in [
        ("WorkloadEntry", result.workloadEntry), ("VirtualService", result.virtualService),
      ] where !samples.isEmpty {
        let e2e = Summary(samples.map(\.endToEnd))
        let after = Summary(samples.map(\.afterDebounce))
        let push = Summary(samples.map(\.serverPush))
        lines.append(
          "| \(result.scenario.label) | \(name) | \(samples.count) | \(ms(e2e.p50)) / \(ms(e2e.p99)) / \(ms(e2e.max)) | \(ms(after.p50)) / \(ms(after.p99)) / \(ms(after.max)) | \(ms(push.p50)) | \(samples.last?.responseBytes ?? 0) |"
        )
      }
    }
    lines.append("")
    for result in results {
      guard let baseline = result.baselineSeconds, !result.virtualService.isEmpty else { continue }
      let after = Summary(result.virtualService.map(\.afterDebounce)).p50
      lines.append(
        "- fan-out \(result.scenario.label): VirtualService push to \(result.scenario.sidecars) streams after debounce p50 \(ms(after)) ms; minimal writer, same bytes to \(result.scenario.sidecars) sockets: \(ms(baseline)) ms; ratio \(String(format: "%.2f", after / baseline))"
      )
    }
    for result in results where result.firstError != nil {
      lines.append("- \(result.scenario.label) first error: \(result.firstError ?? "")")
    }
    lines.append("")
    return lines.joined(separator: "\n")
  }
}
