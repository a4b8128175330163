import CoreMetrics
import FairwayMesh
import FairwayStore
import Logging
import Synchronization

/// The Dubbo registry in ZooKeeper as a config source (`fairway serve --dubbo-zookeeper`):
/// watches `/dubbo` (interfaces) and each `/dubbo/<interface>/providers`, and keeps one
/// ServiceEntry per interface with one WorkloadEntry per provider in the store
/// (`DubboServiceEntries`), owned by the registry (`fairway.io/managed-by: dubbo-zookeeper`).
///
/// Watches fire once, so every event is answered by listing that node again with a new watch.
/// Writes are debounced (`flushDelay`) and atomic per flush (one `apply`; deletions follow one
/// by one, endpoints before their ServiceEntry). When the connection drops nothing is written:
/// the last known endpoints stay. On every (re)connection the whole tree is listed again and
/// the store reconciled with it: providers that left meanwhile are deleted, new ones added,
/// nothing duplicated (objects are keyed by interface and provider address).
public final class DubboRegistry: Sendable {
  public struct Configuration: Sendable {
    public var zookeeper: ZooKeeperClient.Configuration
    public var root: String
    /// Namespace of the generated objects.
    public var namespace: String
    public var flushDelay: Duration
    /// Listings in flight at once during a full listing.
    public var listConcurrency: Int

    public init(
      zookeeper: ZooKeeperClient.Configuration, root: String = "/dubbo",
      namespace: String = "dubbo", flushDelay: Duration = .milliseconds(100),
      listConcurrency: Int = 64
    ) {
      self.zookeeper = zookeeper
      self.root = root
      self.namespace = namespace
      self.flushDelay = flushDelay
      self.listConcurrency = max(listConcurrency, 1)
    }
  }

  private struct Jobs {
    var resync = false
    var listRoot = false
    var interfaces: Set<String> = []
    var isEmpty: Bool { !resync && !listRoot && interfaces.isEmpty }
  }

  public let configuration: Configuration
  public let client: ZooKeeperClient
  let store: any ConfigStore
  let canWrite: @Sendable () -> Bool
  let logger: Logger
  private let state = Mutex(DubboRegistryState())
  private let jobs = Mutex(Jobs())
  private let jobSignal: AsyncStream<Void>.Continuation
  private let jobStream: AsyncStream<Void>
  private let flushSignal: AsyncStream<Void>.Continuation
  private let flushStream: AsyncStream<Void>
  /// Keys this registry wrote, per interface; nil until read back from the store (at the first
  /// write, and again whenever this replica becomes the writer).
  private let written = Mutex<[String: Set<ConfigKey>]?>(nil)
  private let badURLs = Counter(label: "fairway_dubbo_registry_bad_provider_urls_total")
  private let writes = Counter(label: "fairway_dubbo_registry_writes_total")

  /// - Parameter canWrite: false while another replica owns the registry's objects.
  public init(
    configuration: Configuration, store: any ConfigStore,
    canWrite: @escaping @Sendable () -> Bool = { true },
    logger: Logger = Logger(label: "fairway.dubbo-registry")
  ) {
    self.configuration = configuration
    self.client = ZooKeeperClient(configuration.zookeeper, logger: logger)
    self.store = store
    self.canWrite = canWrite
    self.logger = logger
    (jobStream, jobSignal) = AsyncStream.makeStream(
      of: Void.self, bufferingPolicy: .bufferingNewest(1))
    (flushStream, flushSignal) = AsyncStream.makeStream(
      of: Void.self, bufferingPolicy: .bufferingNewest(1))
  }

  /// Interfaces and usable providers known now.
  public var counts: (interfaces: Int, providers: Int) {
    state.withLock { ($0.interfaces.count, $0.providerCount) }
  }

  /// Runs until cancelled.
  public func run() async {
    await withTaskGroup(of: Void.self) { group in
      group.addTask { await self.client.run() }
      group.addTask { await self.handleEvents() }
      group.addTask { await self.listLoop() }
      group.addTask { await self.flushLoop() }
      group.addTask { await self.ownershipLoop() }
      await group.next()
      group.cancelAll()
    }
  }

  // MARK: - ZooKeeper side

  private func handleEvents() async {
    let root = configuration.root
    for await event in client.events {
      switch event {
      case .connected:
        enqueue { $0.resync = true }
      case .watch(let watch):
        if watch.path == root {
          enqueue { $0.listRoot = true }
        } else if let interface = Self.interface(ofProvidersPath: watch.path, root: root) {
          enqueue { $0.interfaces.insert(interface) }
        }
      case .disconnected, .expired:
        break
      }
    }
  }

  static func interface(ofProvidersPath path: String, root: String) -> String? {
    let prefix = root + "/"
    guard path.hasPrefix(prefix), path.hasSuffix("/providers") else { return nil }
    let middle = path.dropFirst(prefix.count).dropLast("/providers".count)
    guard !middle.isEmpty, !middle.contains("/") else { return nil }
    return String(middle)
  }

  private func enqueue(_ change: (inout Jobs) -> Void) {
    jobs.withLock { change(&$0) }
    jobSignal.yield()
  }

  private func listLoop() async {
    for await _ in jobStream {
      let job = jobs.withLock { jobs -> Jobs in
        defer { jobs = Jobs() }
        return jobs
      }
      guard !job.isEmpty else { continue }
      do {
        if job.resync {
          try await resync()
        } else {
          var interfaces = job.interfaces
          if job.listRoot {
            let listed = Set(try await listWatching(configuration.root))
            let known = state.withLock { $0.interfaces }
            for gone in known.subtracting(listed) { state.withLock { $0.removeInterface(gone) } }
            interfaces.formUnion(listed.subtracting(known))
          }
          let listing = try await listProviders(interfaces)
          let bad = state.withLock { state in
            listing.flatMap { state.setProviders($0.key, nodes: $0.value) }
          }
          report(bad)
        }
        flushSignal.yield()
      } catch {
        switch error as? ZooKeeperClientError {
        case .notConnected?, .connectionLost?:
          break  // the next connection lists everything again
        default:
          logger.warning("listing ZooKeeper failed; listing again", metadata: ["error": "\(error)"])
          try? await Task.sleep(for: .seconds(1))
          enqueue { $0.resync = true }
        }
      }
    }
  }

  /// Lists the whole tree and replaces the state with it.
  private func resync() async throws {
    let interfaces = try await listWatching(configuration.root)
    let listing = try await listProviders(Set(interfaces))
    let bad = state.withLock { $0.replaceAll(listing) }
    report(bad)
    logger.info(
      "listed the Dubbo registry",
      metadata: [
        "interfaces": "\(listing.count)",
        "providers": "\(listing.values.map(\.count).reduce(0, +))",
      ])
  }

  private func listProviders(_ interfaces: Set<String>) async throws -> [String: [String]] {
    let root = configuration.root
    let limit = configuration.listConcurrency
    return try await withThrowingTaskGroup(of: (String, [String]).self) { group in
      var listing: [String: [String]] = [:]
      var inFlight = 0
      for interface in interfaces {
        if inFlight >= limit, let (name, nodes) = try await group.next() {
          listing[name] = nodes
          inFlight -= 1
        }
        group.addTask { (interface, try await self.listWatching("\(root)/\(interface)/providers")) }
        inFlight += 1
      }
      for try await (name, nodes) in group { listing[name] = nodes }
      return listing
    }
  }

  /// The children of `path` with a child watch; when `path` does not exist, an exists watch
  /// (so its creation is seen) and no children.
  private func listWatching(_ path: String) async throws -> [String] {
    do {
      return try await client.getChildren(path, watch: true)
    } catch ZooKeeperClientError.noNode {
      guard try await client.exists(path, watch: true) != nil else { return [] }
      return try await client.getChildren(path, watch: true)
    }
  }

  private func report(_ bad: [DubboRegistryState.BadNode]) {
    for item in bad {
      badURLs.increment()
      logger.warning(
        "ignoring a Dubbo provider URL",
        metadata: [
          "interface": "\(item.interface)", "node": "\(item.node.prefix(512))",
          "reason": "\(item.error)",
        ])
    }
  }

  // MARK: - Store side

  private func flushLoop() async {
    for await _ in flushStream {
      do { try await Task.sleep(for: configuration.flushDelay) } catch { return }
      if await !flush() {
        do { try await Task.sleep(for: .seconds(1)) } catch { return }
        flushSignal.yield()
      }
    }
  }

  /// Takes over (again) when this replica becomes the writer: reads back what the store holds.
  private func ownershipLoop() async {
    var wasWriter = canWrite()
    while !Task.isCancelled {
      do { try await Task.sleep(for: .seconds(1)) } catch { return }
      let isWriter = canWrite()
      if isWriter, !wasWriter {
        logger.notice("now writing the Dubbo registry's configs")
        written.withLock { $0 = nil }
        state.withLock { $0.markAllDirty() }
        flushSignal.yield()
      }
      wasWriter = isWriter
    }
  }

  /// Writes the changed interfaces. False when the store refused (retried later).
  @discardableResult
  func flush() async -> Bool {
    guard canWrite(), state.withLock({ $0.synced }) else { return true }
    if written.withLock({ $0 == nil }) {
      let adopted = await adopt()
      written.withLock { $0 = adopted }
      state.withLock { $0.markDirty(adopted.keys) }
    }
    let work = state.withLock { $0.takeDirty() }
    guard !work.isEmpty else { return true }
    let before = written.withLock { $0 ?? [:] }
    var after = before
    var applies: [ConfigObject] = []
    let parser = ConfigParser()
    for (interface, providers) in work {
      let documents = DubboServiceEntries.documents(
        interface: interface, providers: providers, namespace: configuration.namespace)
      do {
        let objects = try parser.objects(from: documents).objects
        applies += objects
        after[interface] = Set(objects.map(\.key))
      } catch {
        // Keep what was written before for this interface.
        badURLs.increment()
        logger.warning(
          "cannot make configs for a Dubbo interface",
          metadata: ["interface": "\(interface)", "error": "\(error)"])
      }
    }
    var deletions: [ConfigKey] = []
    for interface in work.keys {
      deletions += (before[interface] ?? []).subtracting(after[interface] ?? [])
      if after[interface]?.isEmpty ?? false { after[interface] = nil }
    }
    // Endpoints before the ServiceEntry that selects them.
    deletions.sort {
      ($0.kind == .workloadEntry ? 0 : 1, $0) < ($1.kind == .workloadEntry ? 0 : 1, $1)
    }
    do {
      if !applies.isEmpty { try await store.apply(applies) }
      for key in deletions {
        do {
          try await store.delete(key)
        } catch ConfigStoreError.notFound(_) {
          // Already gone: what we wanted.
        }
      }
      written.withLock { $0 = after }
      writes.increment()
      logger.debug(
        "wrote the Dubbo registry's configs",
        metadata: [
          "interfaces": "\(work.count)", "applied": "\(applies.count)",
          "deleted": "\(deletions.count)",
        ])
      return true
    } catch {
      logger.warning(
        "writing the Dubbo registry's configs failed; retrying", metadata: ["error": "\(error)"])
      state.withLock { $0.markDirty(work.keys) }
      // What was applied may be partly there: read it back next time.
      written.withLock { $0 = nil }
      return false
    }
  }

  /// The registry's objects already in the store (an earlier run, another replica), by interface.
  private func adopt() async -> [String: Set<ConfigKey>] {
    var owned: [String: Set<ConfigKey>] = [:]
    for kind in [ConfigKind.serviceEntry, .workloadEntry] {
      for object in await store.list(kind: kind, namespace: nil)
      where object.metadata.managedBy == DubboServiceEntries.managedBy {
        let interface = object.metadata.annotations[DubboServiceEntries.interfaceAnnotation] ?? ""
        owned[interface, default: []].insert(object.key)
      }
    }
    return owned
  }
}
