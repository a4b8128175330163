import FairwayBenchSupport

extension MeshGenerator {
  /// Sidecar `i`: the pod behind an existing WorkloadEntry while there are enough of them
  /// (so it gets inbound listeners like a real pod), else a pod with a fresh IP.
  func sidecar(_ i: Int) -> SidecarIdentity {
    let s = i % services
    let e = i / services
    let ip =
      e < max(endpoints - 1, 1)
      ? address(s, e) : "10.\(128 + i / 65536).\(i / 256 % 256).\(i % 256)"
    return SidecarIdentity(
      ip: ip, pod: "svc-\(s)-pod-\(i)", namespace: namespace(s),
      labels: ["app": "svc-\(s)", "version": "v\(e % 2 + 1)"])
  }

  /// The services proxyless gRPC client `i` calls when each calls `count`: consecutive blocks,
  /// so every service has about N x count / S clients.
  func grpcTargets(_ i: Int, count: Int) -> [Int] {
    (0..<count).map { (i &* count + $0) % services }
  }

  /// Proxyless gRPC client `i`: a pod like sidecar `i`, with grpc's node metadata, calling
  /// `count` services.
  func grpcClient(_ i: Int, count: Int) -> SidecarIdentity {
    var identity = sidecar(i)
    identity.grpcTargets = grpcTargets(i, count: count).map(authority)
    return identity
  }

  /// The VHDS names (`8080/HOST:PORT`) on-demand sidecar `i` asks for when it calls `count`
  /// services: `first` (deduplicated), then consecutive others starting from its own.
  func vhdsHosts(_ i: Int, count: Int, first: [Int]) -> [String] {
    var chosen: [Int] = []
    for s in first where !chosen.contains(s) && chosen.count < count { chosen.append(s) }
    var next = i
    while chosen.count < min(count, services) {
      if !chosen.contains(next % services) { chosen.append(next % services) }
      next += 1
    }
    return chosen.map { "8080/\(authority($0))" }
  }
}
