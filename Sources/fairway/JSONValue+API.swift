import FairwayAPI
import FairwayMesh

extension JSONValue {
  /// Raw JSON of an API body as the mesh module's value, which FairwayAnalyze reads.
  init(_ value: AnyJSON) {
    switch value {
    case .null: self = .null
    case .bool(let value): self = .bool(value)
    case .int(let value): self = .int(value)
    case .double(let value): self = .double(value)
    case .string(let value): self = .string(value)
    case .array(let values): self = .array(values.map(JSONValue.init))
    case .object(let members): self = .object(members.mapValues(JSONValue.init))
    }
  }

  /// A `/debug/config_dump` answer in the shape `ConfigDumpView` reads: `configs`, the
  /// hypothetical proxy's namespace, and `streams` for a proxy with several.
  init(_ answer: ConfigDumpResponse) {
    func dump(_ dump: ProxyConfigDump) -> JSONValue {
      var members: [String: JSONValue] = ["configs": .array(dump.configs.map(JSONValue.init))]
      if let proxy = dump.proxy {
        members["proxy"] = .object(["namespace": .string(proxy.namespace)])
      }
      return .object(members)
    }
    switch answer {
    case .one(let one): self = dump(one)
    case .streams(let streams): self = .object(["streams": .array(streams.map(dump))])
    }
  }
}
