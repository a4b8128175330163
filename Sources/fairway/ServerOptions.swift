import ArgumentParser
import FairwayAPI
import Foundation

/// `--server`, shared by the client subcommands.
struct ServerOptions: ParsableArguments {
  @Option(name: .long, help: "Admin API base URL.")
  var server: String = "http://127.0.0.1:\(AdminClient.defaultPort)"

  @Option(name: .long, help: "Admin bearer token (default: $FAIRWAY_ADMIN_TOKEN).")
  var token: String?

  func client() throws -> AdminClient {
    guard let url = URL(string: server), let scheme = url.scheme,
      ["http", "https"].contains(scheme), url.host != nil
    else {
      throw ValidationError("invalid --server URL \"\(server)\" (want e.g. http://127.0.0.1:15014)")
    }
    return AdminClient(
      baseURL: url, token: token ?? ProcessInfo.processInfo.environment["FAIRWAY_ADMIN_TOKEN"])
  }
}
