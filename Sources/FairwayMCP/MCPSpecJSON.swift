import FairwayMesh

/// The few places where Istio's YAML and the proto3 JSON mapping of the same messages spell a
/// value differently, bridged both ways so that a spec goes through swift-protobuf's JSON
/// mapping unchanged in meaning.
///
/// - Durations: Istio takes Go's forms (`300ms`, `2m`, `1h30m`); proto3 JSON takes only
///   seconds (`0.300s`). Going to proto they are rewritten to seconds.
/// - 64-bit integers (`minimumRingSize`, `tableSize`): proto3 JSON writes them as strings;
///   coming back they are numbers again, as the model reads them.
///
/// - Retries: Fairway reads `retries` without `attempts` as the default policy (2 attempts),
///   a proto3 message cannot tell an unset `attempts` from 0, and Istio reads 0 as no
///   retries. Going to proto the 2 is written out; coming back an absent one is the 0 it is.
/// - Route weights: with several destinations, proto3 drops a `weight: 0`; Fairway reads an
///   absent weight there differently from 0, Istio reads the absent one as 0. Coming back,
///   each destination of a several-destination `route` without a weight gets its 0 again.
///
/// Fields are recognized by name, outside the string-valued maps (`labels`, `set`, ...), whose
/// keys are user data: a header called `timeout` is never taken for a duration.
enum MCPSpecJSON {
  /// Spec fields of type `google.protobuf.Duration` in the messages of Protos/istio.
  static let durationFields: Set<String> = [
    "timeout", "perTryTimeout", "fixedDelay", "exponentialDelay", "maxAge", "connectTimeout",
    "time", "interval", "maxConnectionDuration", "idleTimeout", "ttl", "warmupDurationSecs",
    "baseEjectionTime",
  ]

  /// Spec fields of a 64-bit integer type.
  static let int64Fields: Set<String> = ["minimumRingSize", "tableSize"]

  /// Maps whose values are user strings, never converted (message-valued maps such as
  /// `headers` hold `StringMatch` objects and are walked as usual).
  static let userStringMaps: Set<String> = [
    "labels", "sourceLabels", "set", "add", "ports", "to", "annotations",
  ]

  /// Fairway's default number of retries (see `RouteBuilder+Action`).
  static let defaultRetryAttempts: Int64 = 2

  /// The spec as proto3 JSON expects it.
  static func toProtoJSON(_ value: JSONValue) -> JSONValue {
    rewrite(value) { key, member in
      if key == "retries", case .object(var retry) = member, retry["attempts"] == nil {
        retry["attempts"] = .int(defaultRetryAttempts)
        return .object(retry)
      }
      guard durationFields.contains(key), case .string(let text) = member,
        let duration = IstioDuration(text)
      else { return member }
      return .string(protoDuration(duration))
    }
  }

  /// A spec read back from proto3 JSON, as the model expects it.
  static func fromProtoJSON(_ value: JSONValue) -> JSONValue {
    rewrite(value) { key, member in
      if key == "retries", case .object(var retry) = member, retry["attempts"] == nil {
        retry["attempts"] = .int(0)
        return .object(retry)
      }
      if key == "route", case .array(let destinations) = member, destinations.count > 1 {
        return .array(
          destinations.map { destination in
            guard case .object(var members) = destination, members["weight"] == nil else {
              return destination
            }
            members["weight"] = .int(0)
            return .object(members)
          })
      }
      guard int64Fields.contains(key), case .string(let text) = member, let number = Int64(text)
      else { return member }
      return .int(number)
    }
  }

  /// `seconds[.fraction]s`, the only form proto3 JSON reads.
  static func protoDuration(_ duration: IstioDuration) -> String {
    let negative = duration.isNegative
    let seconds = duration.seconds.magnitude
    let nanos = UInt32(duration.nanos.magnitude)
    var text = negative ? "-\(seconds)" : "\(seconds)"
    if nanos > 0 {
      var fraction = String(nanos)
      fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
      while fraction.hasSuffix("0") { fraction.removeLast() }
      text += ".\(fraction)"
    }
    return text + "s"
  }

  private static func rewrite(
    _ value: JSONValue, _ member: (String, JSONValue) -> JSONValue
  ) -> JSONValue {
    switch value {
    case .object(let members):
      var out: [String: JSONValue] = [:]
      out.reserveCapacity(members.count)
      for (key, child) in members {
        if userStringMaps.contains(key), case .object = child {
          out[key] = child
        } else {
          out[key] = member(key, rewrite(child, member))
        }
      }
      return .object(out)
    case .array(let items):
      return .array(items.map { rewrite($0, member) })
    default:
      return value
    }
  }
}
