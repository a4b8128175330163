import FairwayMesh
import FairwayProto
import SwiftProtobuf

extension RouteBuilder {
  typealias HeaderMatcher = Envoy_Config_Route_V3_HeaderMatcher

  func routeMatch(_ match: HTTPMatchRequest) -> Envoy_Config_Route_V3_RouteMatch {
    var out = Envoy_Config_Route_V3_RouteMatch()
    if let exact = match.uri?.exact {
      out.path = exact
    } else if let prefix = match.uri?.prefix {
      out.prefix = prefix
    } else if let regex = match.uri?.regex {
      out.safeRegex = Self.regex(regex)
    } else {
      out.prefix = "/"
    }
    if match.ignoreUriCase == true {
      out.caseSensitive = Google_Protobuf_BoolValue(false)
    }
    var headers: [HeaderMatcher] = []
    for (name, value) in (match.headers ?? [:]).sorted(by: { $0.key < $1.key }) {
      headers.append(headerMatcher(name: name, value, invert: false))
    }
    for (name, value) in (match.withoutHeaders ?? [:]).sorted(by: { $0.key < $1.key }) {
      headers.append(headerMatcher(name: name, value, invert: true))
    }
    for (name, value) in [
      (":method", match.method), (":authority", match.authority),
      (":scheme", match.scheme),
    ] {
      if let value { headers.append(headerMatcher(name: name, value, invert: false)) }
    }
    out.headers = headers
    for (name, value) in (match.queryParams ?? [:]).sorted(by: { $0.key < $1.key }) {
      var matcher = Envoy_Config_Route_V3_QueryParameterMatcher()
      matcher.name = name
      if let string = Self.stringMatcher(value) {
        matcher.stringMatch = string
      } else {
        matcher.presentMatch = true
      }
      out.queryParameters.append(matcher)
    }
    return out
  }

  /// MOSN reads only the older header fields (see `MOSNHeaderMatcher`); Envoy and grpc take
  /// `string_match`.
  func headerMatcher(name: String, _ value: StringMatch, invert: Bool) -> HeaderMatcher {
    view.client == .mosn
      ? MOSNHeaderMatcher.make(name, value, invert: invert)
      : Self.headerMatcher(name: name, value, invert: invert)
  }

  /// Envoy's form; an empty match means "present".
  static func headerMatcher(name: String, _ value: StringMatch, invert: Bool) -> HeaderMatcher {
    var matcher = HeaderMatcher()
    matcher.name = name
    matcher.invertMatch = invert
    if let string = stringMatcher(value) {
      matcher.stringMatch = string
    } else {
      matcher.presentMatch = true
    }
    return matcher
  }

  static func stringMatcher(_ value: StringMatch) -> Envoy_Type_Matcher_V3_StringMatcher? {
    var matcher = Envoy_Type_Matcher_V3_StringMatcher()
    if let exact = value.exact {
      matcher.exact = exact
    } else if let prefix = value.prefix {
      matcher.prefix = prefix
    } else if let regex = value.regex {
      matcher.safeRegex = Self.regex(regex)
    } else {
      return nil
    }
    return matcher
  }

  static func regex(_ pattern: String) -> Envoy_Type_Matcher_V3_RegexMatcher {
    var matcher = Envoy_Type_Matcher_V3_RegexMatcher()
    matcher.regex = pattern
    return matcher
  }
}
