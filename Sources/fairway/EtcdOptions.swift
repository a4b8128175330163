import ArgumentParser
import FairwayEtcd
import Foundation
import Logging

/// `fairway serve --store etcd://...` and the options for reaching etcd.
struct EtcdOptions: ParsableArguments {
  @Option(
    help:
      "Keep configs in etcd, shared by every replica: etcd://HOST:PORT[,HOST:PORT...] (memory or --data-dir when absent)."
  )
  var store: String?

  @Option(help: "Key prefix of the configs in etcd; replicas sharing it share the configs.")
  var etcdPrefix: String = EtcdConfiguration.defaultPrefix

  @Option(help: "PEM CA bundle to verify etcd's certificate (turns on TLS towards etcd).")
  var etcdCa: String?

  @Option(help: "PEM client certificate for etcd (mTLS); with --etcd-key.")
  var etcdCert: String?

  @Option(help: "PEM private key for --etcd-cert.")
  var etcdKey: String?

  @Option(help: "etcd user (auth); the password comes from --etcd-password-file.")
  var etcdUser: String?

  @Option(help: "File holding the password of --etcd-user.")
  var etcdPasswordFile: String?

  @Option(help: "Seconds to wait for etcd at start before giving up.")
  var etcdStartTimeoutSeconds: Int = 30

  /// The configuration `--store` asks for; nil when it does not name etcd.
  func configuration() throws -> EtcdConfiguration? {
    guard let store else { return nil }
    let endpoints: [EtcdConfiguration.Endpoint]
    do {
      endpoints = try EtcdConfiguration.parse(url: store)
    } catch {
      throw ValidationError("\(error)")
    }
    guard (etcdCert == nil) == (etcdKey == nil) else {
      throw ValidationError("--etcd-cert and --etcd-key go together")
    }
    guard (etcdUser == nil) == (etcdPasswordFile == nil) else {
      throw ValidationError("--etcd-user and --etcd-password-file go together")
    }
    var credentials: EtcdConfiguration.Credentials?
    if let etcdUser, let etcdPasswordFile {
      guard let data = FileManager.default.contents(atPath: etcdPasswordFile),
        let password = String(data: data, encoding: .utf8)?.trimmingCharacters(
          in: .whitespacesAndNewlines)
      else { throw ValidationError("--etcd-password-file \(etcdPasswordFile): cannot read it") }
      credentials = .init(user: etcdUser, password: password)
    }
    let tls =
      etcdCa == nil && etcdCert == nil
      ? nil : EtcdConfiguration.TLS(caPath: etcdCa, certificatePath: etcdCert, keyPath: etcdKey)
    return EtcdConfiguration(
      endpoints: endpoints, prefix: etcdPrefix, tls: tls, credentials: credentials,
      startTimeout: .seconds(max(etcdStartTimeoutSeconds, 1)))
  }

  /// Connects to etcd and loads its configs, or throws a readable message.
  func connect(logger: Logger) async throws -> EtcdConfigStore? {
    guard let configuration = try configuration() else { return nil }
    do {
      let store = try await EtcdConfigStore.connect(configuration, logger: logger)
      let revision = store.revision
      logger.notice(
        "configs from etcd",
        metadata: [
          "endpoints": "\(store.client.configuration.endpoints)",
          "prefix": "\(configuration.prefix)", "revision": "\(revision)",
        ])
      return store
    } catch {
      throw CLIError("error: --store \(store ?? ""): \(error)")
    }
  }
}
