import ArgumentParser
import FairwayAPI
import Foundation

/// `fairway wait [--revision R] [--timeout 30s]`: blocks until every connected proxy has
/// ACKed a store revision, like `istioctl x wait`.
struct Wait: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Wait until every connected proxy has acknowledged a store revision.",
    discussion: """
      A proxy has revision R once it ACKed a response built from it (or from a later one), or
      once R turned out not to concern it. `fairway apply` prints the revision of what it
      applied; `fairway apply --wait` and `fairway delete --wait` wait for it themselves.

      Examples:
        fairway apply -f reviews.yaml            # ... (revision 7)
        fairway wait --revision 7 --timeout 10s
        fairway wait                             # the store's current revision
        fairway wait --revision 7 -o json        # the admin API's answer (GET /wait)

      Exit status: 0 when every connected proxy has the revision; 1 when some proxy has not
      answered within the timeout (or on an error); 2 when some proxy rejected it (NACK): the
      proxy and Envoy's message are printed.
      """)

  @Option(help: "Store revision to wait for (default: the store's current revision).")
  var revision: Int64?

  @OptionGroup var waiting: WaitOptions

  @OptionGroup var server: ServerOptions

  func validate() throws {
    if let revision, revision < 0 { throw ValidationError("--revision must be >= 0") }
  }

  func run() async throws {
    let client = try server.client()
    try await waiting.wait(client: client, revision: revision)
  }
}

/// `--timeout` and `-o`, shared by `wait`, `apply --wait` and `delete --wait`.
struct WaitOptions: ParsableArguments {
  enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
  }

  @Option(help: "How long to wait, e.g. 30s, 500ms, 2m.")
  var timeout: String = "30s"

  @Option(name: .shortAndLong, help: "Output of the wait: text or json (GET /wait's body).")
  var output: OutputFormat = .text

  /// One request waits at most this long; a longer timeout asks again.
  static let requestSeconds = 30.0

  var timeoutSeconds: Double {
    get throws {
      guard let seconds = WaitResponse.seconds(from: timeout) else {
        throw ValidationError("invalid --timeout \"\(timeout)\" (want e.g. 30s, 500ms, 2m)")
      }
      return seconds
    }
  }

  func validate() throws {
    _ = try timeoutSeconds
  }

  /// Waits for `revision` (nil: the store's current one), prints the outcome, and throws
  /// exit status 1 (not answered) or 2 (rejected) unless every proxy has it.
  func wait(client: AdminClient, revision: Int64?) async throws {
    let total = try timeoutSeconds
    let deadline = Date().addingTimeInterval(total)
    var answer: WaitResponse
    var revision = revision
    while true {
      let chunk = max(0, min(Self.requestSeconds, deadline.timeIntervalSinceNow))
      answer = try await client.wait(revision: revision, timeoutSeconds: chunk)
      // Later requests wait for the same revision, not for writes made meanwhile.
      revision = answer.revision
      if answer.state != .pending || deadline.timeIntervalSinceNow <= 0 { break }
    }
    answer.timeoutSeconds = total
    switch output {
    case .json:
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      print(String(decoding: try encoder.encode(answer), as: UTF8.self))
    case .text:
      if answer.state == .synced {
        print(Self.summary(answer))
      } else {
        CLIError.warn(Self.summary(answer))
      }
    }
    switch answer.state {
    case .synced: return
    case .pending: throw ExitCode(1)
    case .rejected: throw ExitCode(2)
    }
  }

  /// `istioctl x wait`-like text: the count of proxies that have the revision, then each
  /// proxy that rejected it (with Envoy's message) or has not answered.
  static func summary(_ answer: WaitResponse) -> String {
    let revision = "revision \(answer.revision)"
    let waited = String(format: "%.2fs", answer.waitedSeconds)
    if answer.state == .synced {
      if answer.proxies.isEmpty {
        return "✔ \(revision) is pushed; no proxies are connected (\(waited))"
      }
      return "✔ \(revision) is ready in \(proxies(answer.synced)) (\(waited))"
    }
    var lines: [String] = []
    if answer.publishedRevision < answer.revision {
      lines.append(
        "✘ \(revision) was not pushed within \(seconds(answer.timeoutSeconds)) (last push: revision \(answer.publishedRevision))"
      )
    }
    let rejected = answer.proxies.filter { $0.state == .rejected }
    if !rejected.isEmpty {
      lines.append("✘ \(revision) was rejected by \(proxies(rejected.count)):")
      for proxy in rejected {
        for rejection in proxy.rejected {
          lines.append("    \(proxy.proxy) \(rejection.type) NACK: \(rejection.message)")
        }
      }
    }
    let pending = answer.proxies.filter { $0.state == .pending }
    if !pending.isEmpty, answer.publishedRevision >= answer.revision {
      lines.append(
        "✘ \(revision) was not acknowledged within \(seconds(answer.timeoutSeconds)) by \(proxies(pending.count)):"
      )
      for proxy in pending {
        lines.append("    \(proxy.proxy) (waiting for \(proxy.pending.joined(separator: ", ")))")
      }
    }
    if answer.synced > 0 { lines.append("  ready in \(proxies(answer.synced))") }
    return lines.joined(separator: "\n")
  }

  static func proxies(_ count: Int) -> String {
    "\(count) \(count == 1 ? "proxy" : "proxies")"
  }

  static func seconds(_ value: Double) -> String {
    value == value.rounded() ? "\(Int(value))s" : String(format: "%.3gs", value)
  }
}
