import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

enum LoadError: Error, CustomStringConvertible {
  case server(String)
  case timeout(String)

  var description: String {
    switch self {
    case .server(let message): "server: \(message)"
    case .timeout(let message): "timed out: \(message)"
    }
  }
}

/// The real `fairway serve` on loopback, on free ports, with its admin API.
final class ServerProcess: @unchecked Sendable {
  // @unchecked: `process` is only touched by the driver task.
  let adsPort: Int
  let adminPort: Int
  private let process: Process
  let logPath: String

  init(binary: String, arguments extra: [String], logPath: String) throws {
    adsPort = try freePort()
    adminPort = try freePort()
    self.logPath = logPath
    process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments =
      [
        "serve", "--ads-port", "\(adsPort)", "--admin-port", "\(adminPort)", "--log-level",
        "warning", "--max-body-bytes", "\(512 * 1024 * 1024)",
      ] + extra
    try process.run(loggingTo: logPath)
  }

  var pid: Int32 { process.processIdentifier }

  func waitReady(timeout: Double = 30) async throws {
    let deadline = wallClock() + timeout
    while wallClock() < deadline {
      guard process.isRunning else { throw LoadError.server("exited; see \(logPath)") }
      if let (status, _) = try? await request("GET", "/healthz/ready"), status == 200 { return }
      try await Task.sleep(for: .milliseconds(100))
    }
    throw LoadError.timeout("server not ready in \(timeout) s")
  }

  func stop() {
    process.stop()
  }

  /// One admin request; returns status and body.
  func request(_ method: String, _ path: String, body: Data? = nil) async throws -> (Int, Data) {
    guard let url = URL(string: "http://127.0.0.1:\(adminPort)\(path)") else {
      throw LoadError.server("bad path \(path)")
    }
    var request = URLRequest(url: url)
    request.httpMethod = method
    request.httpBody = body
    request.timeoutInterval = 600
    if body != nil { request.setValue("application/yaml", forHTTPHeaderField: "Content-Type") }
    let (data, response) = try await URLSession.shared.data(for: request)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
  }

  /// `POST /apply`; returns the store revision and the wall-clock time the 200 arrived.
  func apply(_ yaml: String) async throws -> (revision: Int, at: Double) {
    let (status, data) = try await request("POST", "/apply", body: Data(yaml.utf8))
    let at = wallClock()
    guard status == 200 else {
      throw LoadError.server(
        "apply \(status): \(String(decoding: data.prefix(500), as: UTF8.self))")
    }
    let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    return ((object?["revision"] as? Int) ?? 0, at)
  }

  struct Push {
    var revision: Int
    var debounceSeconds: Double
    var durationSeconds: Double
    var proxiesPushed: Int
  }

  func lastPush() async throws -> Push? {
    let (_, data) = try await request("GET", "/debug/push_status")
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
      let last = object["lastPush"] as? [String: Any]
    else { return nil }
    return Push(
      revision: (last["revision"] as? Int) ?? -1,
      debounceSeconds: (last["debounceSeconds"] as? Double) ?? 0,
      durationSeconds: (last["durationSeconds"] as? Double) ?? 0,
      proxiesPushed: (last["proxiesPushed"] as? Int) ?? 0)
  }

  /// Waits for a push at or beyond `revision`.
  func waitPushed(revision: Int, timeout: Double = 120) async throws -> Push {
    let deadline = wallClock() + timeout
    while wallClock() < deadline {
      if let push = try await lastPush(), push.revision >= revision { return push }
      try await Task.sleep(for: .milliseconds(20))
    }
    throw LoadError.timeout("no push reached revision \(revision)")
  }

  /// Resident set size in MiB, from /proc.
  func rssMiB() -> Double { statusMiB("VmRSS:") }

  /// The highest resident set size so far in MiB, from /proc.
  func peakRSSMiB() -> Double { statusMiB("VmHWM:") }

  private func statusMiB(_ field: String) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else {
      return 0
    }
    for line in text.split(separator: "\n") where line.hasPrefix(field) {
      let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
      return kb / 1024
    }
    return 0
  }

  /// CPU seconds (user + system) the server has used, from /proc.
  func cpuSeconds() -> Double { processCPUSeconds(pid) }
}

/// CPU seconds (user + system) process `pid` has used, from /proc.
func processCPUSeconds(_ pid: Int32) -> Double {
  guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
    let close = text.lastIndex(of: ")")
  else { return 0 }
  let fields = text[text.index(after: close)...].split(separator: " ")
  // After the command: state is field 3; utime and stime are fields 14 and 15.
  guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
    return 0
  }
  return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

extension Process {
  /// Starts the child with its standard output and error in a fresh file at `logPath`.
  func run(loggingTo logPath: String) throws {
    _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
    standardOutput = log
    standardError = log
    try run()
  }

  /// Ends the child if it still runs, and waits for it.
  func stop() {
    guard isRunning else { return }
    terminate()
    waitUntilExit()
  }
}

/// A port nothing listens on right now (bind to 0, read it back, close).
func freePort() throws -> Int {
  let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  guard fd >= 0 else { throw LoadError.server("socket() failed") }
  defer { close(fd) }
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  address.sin_port = 0
  var length = socklen_t(MemoryLayout<sockaddr_in>.size)
  let bound = withUnsafeMutablePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
      bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
    }
  }
  guard bound else { throw LoadError.server("bind() failed") }
  return Int(UInt16(bigEndian: address.sin_port))
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
func canConnect(port: Int) -> Bool {
  let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  guard fd >= 0 else { return false }
  defer { close(fd) }
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  address.sin_port = UInt16(port).bigEndian
  return withUnsafeMutablePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
    }
  }
}
