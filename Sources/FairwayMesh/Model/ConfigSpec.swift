/// The typed view of a config's `spec`.
/// Indirect: the typed specs are large (a VirtualService is hundreds of bytes inline), and
/// objects are held in dictionaries, snapshots and events by the ten thousand; boxed, a copy
/// of an object shares its spec instead of repeating it inline.
public indirect enum ConfigSpec: Sendable, Equatable {
  case virtualService(VirtualService)
  case destinationRule(DestinationRule)
  case serviceEntry(ServiceEntry)
  case workloadEntry(WorkloadEntry)
  case workloadGroup(WorkloadGroup)
  case sidecar(Sidecar)
  case gateway(Gateway)

  /// The kind this spec belongs to.
  public var kind: ConfigKind {
    switch self {
    case .virtualService: return .virtualService
    case .destinationRule: return .destinationRule
    case .serviceEntry: return .serviceEntry
    case .workloadEntry: return .workloadEntry
    case .workloadGroup: return .workloadGroup
    case .sidecar: return .sidecar
    case .gateway: return .gateway
    }
  }

  /// Decodes the typed view of `raw` for `kind`.
  ///
  /// - Throws: `DecodingError` when a known field has the wrong type.
  public static func decode(kind: ConfigKind, from raw: JSONValue) throws -> ConfigSpec {
    switch kind {
    case .virtualService: return .virtualService(try raw.decode(VirtualService.self))
    case .destinationRule: return .destinationRule(try raw.decode(DestinationRule.self))
    case .serviceEntry: return .serviceEntry(try raw.decode(ServiceEntry.self))
    case .workloadEntry: return .workloadEntry(try raw.decode(WorkloadEntry.self))
    case .workloadGroup: return .workloadGroup(try raw.decode(WorkloadGroup.self))
    case .sidecar: return .sidecar(try raw.decode(Sidecar.self))
    case .gateway: return .gateway(try raw.decode(Gateway.self))
    }
  }

  /// The typed view encoded back to JSON (only the fields the model knows).
  package func encodedJSON() throws -> JSONValue {
    switch self {
    case .virtualService(let spec): return try JSONValue(encoding: spec)
    case .destinationRule(let spec): return try JSONValue(encoding: spec)
    case .serviceEntry(let spec): return try JSONValue(encoding: spec)
    case .workloadEntry(let spec): return try JSONValue(encoding: spec)
    case .workloadGroup(let spec): return try JSONValue(encoding: spec)
    case .sidecar(let spec): return try JSONValue(encoding: spec)
    case .gateway(let spec): return try JSONValue(encoding: spec)
    }
  }
}
