import FairwayMesh

/// Istio's port naming convention (`<protocol>[-<suffix>]`) checked on ServiceEntry ports.
///
/// IST0118 when a port has no protocol and its name follows no convention (Fairway then cannot
/// tell the protocol and treats the port as opaque TCP); FW0103 when the name's prefix names a
/// different protocol than the one Fairway uses for the port (the declared protocol wins, except
/// that a `tcp-dubbo`/`dubbo` name makes a TCP port Dubbo).
struct PortNameAnalyzer: Analyzer {
  let name = "serviceentry.PortNameAnalyzer"
  let summary = "Checks ServiceEntry port names follow Istio's <protocol>[-<suffix>] convention"
  let messageTypes: [MessageType] = [
    .portNameIsNotUnderNamingConvention, .portProtocolNameMismatch,
  ]

  /// Prefixes Istio's convention knows, plus Fairway's `dubbo`.
  static let prefixes: Set<String> = [
    "grpc", "grpc-web", "http", "http2", "https", "mongo", "mysql", "redis", "tcp", "tls", "udp",
    "thrift", "dubbo",
  ]

  /// The protocol a port name announces, upper-cased (`grpc-web-api` -> `GRPC-WEB`).
  static func namedProtocol(_ name: String) -> String? {
    let lower = name.lowercased()
    if lower == "grpc-web" || lower.hasPrefix("grpc-web-") { return "GRPC-WEB" }
    let prefix = lower.split(separator: "-", maxSplits: 1).first.map(String.init) ?? lower
    return prefixes.contains(prefix) ? prefix.uppercased() : nil
  }

  func analyze(_ mesh: MeshModel) -> [AnalysisMessage] {
    var messages: [AnalysisMessage] = []
    for entry in mesh.snapshot.serviceEntries {
      for (index, port) in (entry.spec.ports ?? []).enumerated() {
        guard let portName = port.name, !portName.isEmpty else { continue }
        let declared = port.protocol.map { $0.uppercased() }.flatMap { $0.isEmpty ? nil : $0 }
        let named = Self.namedProtocol(portName)
        let number = port.number.map(String.init) ?? "-"
        let target = port.targetPort.map(String.init) ?? number
        guard let named else {
          if declared == nil {
            messages.append(
              AnalysisMessage(
                .portNameIsNotUnderNamingConvention, entry.key, field: "spec.ports[\(index)].name",
                "Port name \(portName) (port: \(number), targetPort: \(target)) doesn't follow the"
                  + " naming convention of Istio port."))
          }
          continue
        }
        guard let declared else { continue }
        let applied = port.applicationProtocol
        let used = applied == .unknown ? declared : applied.rawValue
        // `tcp-dubbo` on a TCP port is the documented way to mark Dubbo.
        guard used != named, !(applied == .dubbo && named == "TCP") else { continue }
        messages.append(
          AnalysisMessage(
            .portProtocolNameMismatch, entry.key, field: "spec.ports[\(index)]",
            "Port \(number) is named \(portName), which says \(named), but its protocol is"
              + " \(declared); Fairway serves it as \(used). Rename the port or fix its protocol."))
      }
    }
    return messages
  }
}
