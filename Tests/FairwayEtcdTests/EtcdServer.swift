import FairwayEtcd
import FairwayProto
import FairwayStore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A real etcd (Debian's etcd-server, /usr/bin/etcd) on loopback with free ports and a temp
/// data dir; `stop` and `start` keep both, so a restart brings the same data back.
final class EtcdServer: @unchecked Sendable {
  let clientPort: Int
  let peerPort: Int
  let dataDir: URL
  private var process: Process?

  static var binary: String {
    ProcessInfo.processInfo.environment["ETCD_BIN"] ?? "/usr/bin/etcd"
  }

  static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: binary) }

  /// Where data directories go: memory (/dev/shm) when there is one, so etcd's fsync of its
  /// WAL on every write costs nothing while the rest of the suite uses the disk. These tests
  /// kill and restart the process, never the machine, so memory keeps everything they check.
  static var dataRoot: URL {
    let shm = URL(fileURLWithPath: "/dev/shm")
    return FileManager.default.isWritableFile(atPath: shm.path)
      ? shm : FileManager.default.temporaryDirectory
  }

  init() throws {
    clientPort = try Self.freePort()
    peerPort = try Self.freePort()
    dataDir = Self.dataRoot.appendingPathComponent("fairway-etcd-\(UUID().uuidString)")
  }

  deinit {
    stop()
    try? FileManager.default.removeItem(at: dataDir)
  }

  var url: String { "etcd://127.0.0.1:\(clientPort)" }

  /// - Parameter requestTimeout: generous by default: the whole Swift suite runs in parallel
  ///   with a fresh etcd's first fsyncs, and a first write has taken over 3 s on CI.
  func configuration(
    prefix: String = EtcdConfiguration.defaultPrefix, requestTimeout: Duration = .seconds(10)
  ) -> EtcdConfiguration {
    EtcdConfiguration(
      endpoints: [.init(host: "127.0.0.1", port: clientPort)], prefix: prefix,
      requestTimeout: requestTimeout, startTimeout: .seconds(10), maxBackoff: .milliseconds(200))
  }

  /// Starts etcd and waits (at most 60 s) until it answers a Range. Each probe gives up after
  /// 2 s and the next one asks again: a fresh etcd started while the whole suite runs on two
  /// cores has taken more than 15 s to answer its first request (CI), and one probe waiting
  /// out a 10 s timeout used most of the old 15 s budget.
  func start() async throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Self.binary)
    let client = "http://127.0.0.1:\(clientPort)"
    let peer = "http://127.0.0.1:\(peerPort)"
    process.arguments = [
      "--name", "fairway-test", "--data-dir", dataDir.path,
      "--listen-client-urls", client, "--advertise-client-urls", client,
      "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
      "--initial-cluster", "fairway-test=\(peer)",
      "--max-txn-ops", "10000", "--logger", "zap", "--log-level", "error",
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    self.process = process
    let probe = try EtcdClient(configuration: configuration(requestTimeout: .seconds(2)))
    defer { probe.close() }
    let deadline = ContinuousClock.now + .seconds(60)
    while true {
      do {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data("/".utf8)
        _ = try await probe.range(request)
        return
      } catch {
        guard ContinuousClock.now < deadline, process.isRunning else {
          stop()
          throw error
        }
        try await Task.sleep(for: .milliseconds(50))
      }
    }
  }

  /// Stops etcd (SIGKILL: no goodbye to clients) and waits for it to exit.
  func stop() {
    guard let process, process.isRunning else { return }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    self.process = nil
  }

  static func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EMFILE) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
      }
    }
    guard bound else { throw POSIXError(.EADDRINUSE) }
    return Int(UInt16(bigEndian: address.sin_port))
  }
}
