/// TLS used for connections to the upstream.
public struct ClientTLSSettings: Sendable, Equatable, Codable {
  /// `DISABLE`, `SIMPLE`, `MUTUAL` or `ISTIO_MUTUAL`.
  public var mode: String?
  public var clientCertificate: String?
  public var privateKey: String?
  public var caCertificates: String?
  public var credentialName: String?
  public var subjectAltNames: [String]?
  public var sni: String?
  public var insecureSkipVerify: Bool?
  public var caCrl: String?

  public init() {}
}
