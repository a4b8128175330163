import FairwayMesh
import FairwayProto
import Foundation
import SwiftProtobuf

extension RouteBuilder {
  static func redirect(_ redirect: HTTPRedirect) -> Envoy_Config_Route_V3_RedirectAction {
    var out = Envoy_Config_Route_V3_RedirectAction()
    if let uri = redirect.uri { out.pathRedirect = uri }
    if let authority = redirect.authority { out.hostRedirect = authority }
    if let port = redirect.port.flatMap(MeshPort.validPort) { out.portRedirect = port }
    if let scheme = redirect.scheme, !scheme.isEmpty { out.schemeRedirect = scheme }
    switch redirect.redirectCode ?? 301 {
    case 302: out.responseCode = .found
    case 303: out.responseCode = .seeOther
    case 307: out.responseCode = .temporaryRedirect
    case 308: out.responseCode = .permanentRedirect
    default: out.responseCode = .movedPermanently
    }
    return out
  }

  static func directResponse(_ response: HTTPDirectResponse)
    -> Envoy_Config_Route_V3_DirectResponseAction
  {
    var out = Envoy_Config_Route_V3_DirectResponseAction()
    out.status = UInt32(clamping: max(response.status ?? 200, 0))
    if let text = response.body?.string {
      out.body.inlineString = text
    } else if let encoded = response.body?.bytes, let bytes = Data(base64Encoded: encoded) {
      out.body.inlineBytes = bytes
    }
    return out
  }

  /// nil when the fault does nothing Envoy can express.
  static func fault(_ fault: HTTPFaultInjection)
    -> Envoy_Extensions_Filters_Http_Fault_V3_HTTPFault?
  {
    var out = Envoy_Extensions_Filters_Http_Fault_V3_HTTPFault()
    var any = false
    if let delay = fault.delay, let fixed = delay.fixedDelay.flatMap(ClusterBuilder.duration) {
      out.delay.fixedDelay = fixed
      out.delay.percentage = percentage(delay.percentage, legacy: delay.percent)
      any = true
    }
    if let abort = fault.abort {
      if let status = abort.httpStatus, (200...599).contains(status) {
        out.abort.httpStatus = UInt32(status)
        any = true
      } else if let name = abort.grpcStatus, let code = grpcStatusCode(name) {
        out.abort.grpcStatus = code
        any = true
      }
      if any, out.hasAbort { out.abort.percentage = percentage(abort.percentage, legacy: nil) }
    }
    return any ? out : nil
  }

  static func percentage(_ percent: Percent?, legacy: Int?) -> Envoy_Type_V3_FractionalPercent {
    if let value = percent?.value { return fraction(value) }
    if let legacy {
      var fraction = Envoy_Type_V3_FractionalPercent()
      fraction.numerator = UInt32(clamping: min(max(legacy, 0), 100))
      fraction.denominator = .hundred
      return fraction
    }
    return fraction(100)
  }

  static func grpcStatusCode(_ text: String) -> UInt32? {
    if let number = UInt32(text), number <= 16 { return number }
    let names = [
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
      "UNAUTHENTICATED",
    ]
    return names.firstIndex(of: text.uppercased()).map(UInt32.init)
  }

  static func cors(_ policy: CorsPolicy) -> Envoy_Extensions_Filters_Http_Cors_V3_CorsPolicy {
    var out = Envoy_Extensions_Filters_Http_Cors_V3_CorsPolicy()
    for origin in policy.allowOrigins ?? [] {
      if let matcher = stringMatcher(origin) { out.allowOriginStringMatch.append(matcher) }
    }
    for origin in policy.allowOrigin ?? [] {
      var matcher = Envoy_Type_Matcher_V3_StringMatcher()
      matcher.exact = origin
      out.allowOriginStringMatch.append(matcher)
    }
    if let methods = policy.allowMethods { out.allowMethods = methods.joined(separator: ",") }
    if let headers = policy.allowHeaders { out.allowHeaders = headers.joined(separator: ",") }
    if let headers = policy.exposeHeaders { out.exposeHeaders = headers.joined(separator: ",") }
    if let age = policy.maxAge, !age.isNegative { out.maxAge = String(age.seconds) }
    if let credentials = policy.allowCredentials {
      out.allowCredentials = Google_Protobuf_BoolValue(credentials)
    }
    out.filterEnabled.defaultValue = fraction(100)
    if policy.unmatchedPreflights?.uppercased() == "IGNORE" {
      // Istio: preflights that match no origin get no answer from the filter and go upstream
      // only with FORWARD (Envoy's default).
      out.forwardNotMatchingPreflights = Google_Protobuf_BoolValue(false)
    }
    return out
  }

  /// Istio's header operations: `set` overwrites, `add` appends, `remove` removes.
  static func applyHeaderOperations(_ headers: Headers?, to route: inout Route) {
    guard let headers else { return }
    route.requestHeadersToAdd += headerValues(headers.request)
    route.requestHeadersToRemove += headers.request?.remove ?? []
    route.responseHeadersToAdd += headerValues(headers.response)
    route.responseHeadersToRemove += headers.response?.remove ?? []
  }

  static func headerValues(_ operations: Headers.HeaderOperations?)
    -> [Envoy_Config_Core_V3_HeaderValueOption]
  {
    guard let operations else { return [] }
    func option(
      _ key: String, _ value: String,
      _ action: Envoy_Config_Core_V3_HeaderValueOption.HeaderAppendAction
    )
      -> Envoy_Config_Core_V3_HeaderValueOption
    {
      var option = Envoy_Config_Core_V3_HeaderValueOption()
      option.header.key = key
      option.header.value = value
      option.appendAction = action
      return option
    }
    let set = (operations.set ?? [:]).sorted { $0.key < $1.key }.map {
      option($0.key, $0.value, .overwriteIfExistsOrAdd)
    }
    let add = (operations.add ?? [:]).sorted { $0.key < $1.key }.map {
      option($0.key, $0.value, .appendIfExistsOrAdd)
    }
    return set + add
  }
}
