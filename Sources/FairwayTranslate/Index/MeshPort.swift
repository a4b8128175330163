import FairwayMesh

/// One port of a service, validated (numbers in 1...65535).
struct MeshPort: Sendable, Hashable, Comparable {
  let number: UInt32
  let name: String
  let proto: PortProtocol
  /// The port endpoints listen on when they name no port of their own.
  let targetPort: UInt32?

  init?(_ port: ServicePort) {
    guard let number = port.number, let valid = MeshPort.validPort(number) else { return nil }
    self.number = valid
    self.name = port.name ?? ""
    self.proto = PortProtocol(declared: port.protocol, portName: port.name)
    self.targetPort = port.targetPort.flatMap(MeshPort.validPort)
  }

  static func validPort(_ value: Int) -> UInt32? {
    (1...65535).contains(value) ? UInt32(value) : nil
  }

  static func < (lhs: MeshPort, rhs: MeshPort) -> Bool { lhs.number < rhs.number }
}
