import FairwayMesh
import FairwayProto
import Foundation

/// Header matchers MOSN understands: its xDS converter reads only `exact_match` and
/// `safe_regex_match` (the older HeaderMatcher fields), so prefixes and "present" are spelled
/// as regexes.
enum MOSNHeaderMatcher {
  static func make(_ name: String, _ value: StringMatch, invert: Bool)
    -> Envoy_Config_Route_V3_HeaderMatcher
  {
    var matcher = Envoy_Config_Route_V3_HeaderMatcher()
    matcher.name = name
    matcher.invertMatch = invert
    if let exact = value.exact {
      matcher.exactMatch = exact
    } else if let prefix = value.prefix {
      matcher.safeRegexMatch = RouteBuilder.regex(
        NSRegularExpression.escapedPattern(for: prefix) + ".*")
    } else {
      matcher.safeRegexMatch = RouteBuilder.regex(value.regex ?? ".*")
    }
    return matcher
  }
}
