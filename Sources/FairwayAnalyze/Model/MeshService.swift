import FairwayMesh

/// One host a ServiceEntry declares, with the endpoints that serve it.
public struct AnalyzedService: Sendable {
  public let host: String
  /// The ServiceEntry that declares it (the first by key, as the translator keeps).
  public let entry: ConfigKey
  public let namespace: String
  public let ports: [ServicePort]
  /// Labels of every endpoint: inline endpoints and selected WorkloadEntries. A DNS service
  /// without endpoints resolves its own host name: one endpoint without labels.
  let endpointLabels: [[String: String]]
}
