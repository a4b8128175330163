import FairwayAPI
import Foundation
import Synchronization

/// Shell completion of PROXY_ID: the node ids of the connected proxies, from `/debug/syncz` of
/// the `--server` on the command line (or the default), given two seconds to answer.
enum ProxyIDCompletion {
  static func complete(words: [String], prefix: String) -> [String] {
    var base = "http://127.0.0.1:\(AdminClient.defaultPort)"
    if let position = words.firstIndex(of: "--server"), position + 1 < words.count {
      base = words[position + 1]
    }
    guard let url = URL(string: base) else { return [] }
    let client = AdminClient(
      baseURL: url, token: ProcessInfo.processInfo.environment["FAIRWAY_ADMIN_TOKEN"])
    let found = Mutex<[String]>([])
    let done = DispatchSemaphore(value: 0)
    Task {
      if let entries = try? await client.syncz() {
        found.withLock { $0 = entries.map(\.proxy).filter { !$0.isEmpty } }
      }
      done.signal()
    }
    _ = done.wait(timeout: .now() + 2)
    return found.withLock { ids in
      Array(Set(ids.filter { $0.hasPrefix(prefix) })).sorted()
    }
  }
}
