import ArgumentParser
import FairwayEtcd
import FairwayRegistry
import FairwayStore
import Foundation
import Logging
import ServiceLifecycle

/// `fairway serve --dubbo-zookeeper HOST:PORT[,...]`: the Dubbo registry as a config source.
struct DubboRegistryOptions: ParsableArguments {
  @Option(
    help:
      "Watch the Dubbo registry in ZooKeeper (HOST:PORT[,HOST:PORT...]) and keep one ServiceEntry per interface, with its providers as WorkloadEntries, owned by the registry."
  )
  var dubboZookeeper: String?

  @Option(help: "Namespace of the ServiceEntries and WorkloadEntries made from the Dubbo registry.")
  var dubboNamespace: String = "dubbo"

  @Option(help: "ZooKeeper root of the Dubbo registry.")
  var dubboRoot: String = "/dubbo"

  @Option(help: "ZooKeeper session timeout asked for, in milliseconds.")
  var dubboSessionTimeoutMs: Int = 10_000

  @Option(help: "Registry changes are written after this many milliseconds without more.")
  var dubboFlushMs: Int = 100

  func validate() throws {
    if let dubboZookeeper {
      do {
        _ = try ZooKeeperEndpoint.parseList(dubboZookeeper)
      } catch {
        throw ValidationError("--dubbo-zookeeper: \(error)")
      }
    }
    guard dubboRoot.hasPrefix("/"), dubboRoot.count > 1, !dubboRoot.hasSuffix("/") else {
      throw ValidationError("--dubbo-root must be an absolute ZooKeeper path such as /dubbo")
    }
    guard (1_000...600_000).contains(dubboSessionTimeoutMs) else {
      throw ValidationError("--dubbo-session-timeout-ms must be in 1000...600000")
    }
    guard dubboFlushMs >= 0 else { throw ValidationError("--dubbo-flush-ms must be >= 0") }
  }

  /// The registry service, when asked for. With etcd, one replica writes (EtcdOwnership).
  func service(store: any ConfigStore, etcdStore: EtcdConfigStore?, logger: Logger) throws
    -> [any Service]
  {
    guard let dubboZookeeper else { return [] }
    let servers = try ZooKeeperEndpoint.parseList(dubboZookeeper)
    var ownership: EtcdOwnership?
    if let etcdStore {
      var prefix = Substring(etcdStore.client.configuration.prefix)
      while prefix.hasSuffix("/") { prefix = prefix.dropLast() }
      let host = ProcessInfo.processInfo.hostName
      ownership = EtcdOwnership(
        // Beside the config prefix, not under it: the store's watch reads everything there.
        client: etcdStore.client, key: "\(prefix)-owners/dubbo-zookeeper",
        identity: "\(host)-\(ProcessInfo.processInfo.processIdentifier)", logger: logger)
    }
    let owner = ownership
    let registry = DubboRegistry(
      configuration: .init(
        zookeeper: .init(servers: servers, sessionTimeout: .milliseconds(dubboSessionTimeoutMs)),
        root: dubboRoot, namespace: dubboNamespace, flushDelay: .milliseconds(dubboFlushMs)),
      store: store, canWrite: { owner?.isOwner ?? true }, logger: logger)
    logger.notice(
      "Dubbo registry",
      metadata: ["zookeeper": "\(dubboZookeeper)", "namespace": "\(dubboNamespace)"])
    var services: [any Service] = [DubboRegistryService(run: { await registry.run() })]
    if let owner { services.append(DubboRegistryService(run: { await owner.run() })) }
    return services
  }
}

/// A registry task as a ServiceGroup member: cancelled on graceful shutdown.
struct DubboRegistryService: Service {
  let run: @Sendable () async -> Void

  func run() async throws {
    let body = run
    await cancelWhenGracefulShutdown { await body() }
  }
}
