/// One kind of analysis message: a stable code, a name and a level, as in Istio's
/// `messages.yaml`. Codes `IST....` keep Istio's meaning; `FW....` codes are Fairway's own,
/// for checks Istio has no message for.
public struct MessageType: Sendable, Hashable, Codable {
  public let code: String
  public let name: String
  public let severity: Severity
  /// What the message means, for `fairway analyze --list-analyzers`.
  public let summary: String

  public init(code: String, name: String, severity: Severity, summary: String) {
    self.code = code
    self.name = name
    self.severity = severity
    self.summary = summary
  }

  /// Istio's page for an `IST` code; nil for Fairway's own codes.
  package var documentationURL: String? {
    guard code.hasPrefix("IST") else { return nil }
    return "https://istio.io/latest/docs/reference/config/analysis/\(code.lowercased())/"
  }
}

extension MessageType {
  static let referencedResourceNotFound = MessageType(
    code: "IST0101", name: "ReferencedResourceNotFound", severity: .error,
    summary: "A resource being referenced does not exist.")
  static let schemaValidationError = MessageType(
    code: "IST0106", name: "SchemaValidationError", severity: .error,
    summary: "The resource has a schema validation error.")
  static let conflictingMeshGatewayVirtualServiceHosts = MessageType(
    code: "IST0109", name: "ConflictingMeshGatewayVirtualServiceHosts", severity: .error,
    summary: "Conflicting hosts on VirtualServices associated with mesh gateway.")
  static let portNameIsNotUnderNamingConvention = MessageType(
    code: "IST0118", name: "PortNameIsNotUnderNamingConvention", severity: .info,
    summary: "Port name is not under naming convention; the protocol cannot be told from it.")
  static let noMatchingWorkloadsFound = MessageType(
    code: "IST0127", name: "NoMatchingWorkloadsFound", severity: .warning,
    summary: "There aren't workloads matching the resource labels.")
  static let schemaWarning = MessageType(
    code: "IST0133", name: "SchemaWarning", severity: .warning,
    summary: "The resource has a schema validation warning.")
  static let destinationRuleSubsetNotSelectPods = MessageType(
    code: "IST0173", name: "DestinationRuleSubsetNotSelectPods", severity: .error,
    summary: "A subset in a DestinationRule does not select any endpoint.")
  static let unknownDestinationRuleHost = MessageType(
    code: "IST0174", name: "UnknownDestinationRuleHost", severity: .warning,
    summary: "The host of a DestinationRule does not match a service in the mesh.")
  static let conflictingDestinationRules = MessageType(
    code: "FW0101", name: "ConflictingDestinationRuleHosts", severity: .warning,
    summary: "Several DestinationRules name one host; Fairway applies only one of them.")
  static let dubboRouteUnsupportedField = MessageType(
    code: "FW0102", name: "DubboRouteUnsupportedField", severity: .error,
    summary: "A VirtualService on a Dubbo service uses a field Dubbo routing cannot express.")
  static let portProtocolNameMismatch = MessageType(
    code: "FW0103", name: "PortProtocolNameMismatch", severity: .warning,
    summary: "A port's name prefix names a different protocol than the one Fairway uses.")
  static let virtualServiceHostNotFound = MessageType(
    code: "FW0104", name: "VirtualServiceHostNotFound", severity: .warning,
    summary: "A VirtualService routes a host no ServiceEntry declares, so no proxy uses it.")
}
