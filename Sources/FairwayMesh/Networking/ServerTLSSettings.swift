/// TLS a Gateway server terminates or passes through.
public struct ServerTLSSettings: Sendable, Equatable, Codable {
  /// Send plain HTTP clients a 301 to HTTPS.
  public var httpsRedirect: Bool?
  /// `PASSTHROUGH`, `SIMPLE`, `MUTUAL`, `AUTO_PASSTHROUGH`, `ISTIO_MUTUAL` or `OPTIONAL_MUTUAL`.
  public var mode: String?
  public var serverCertificate: String?
  public var privateKey: String?
  public var caCertificates: String?
  public var caCrl: String?
  public var credentialName: String?
  public var subjectAltNames: [String]?
  public var verifyCertificateSpki: [String]?
  public var verifyCertificateHash: [String]?
  /// `TLS_AUTO`, `TLSV1_0`, `TLSV1_1`, `TLSV1_2` or `TLSV1_3`.
  public var minProtocolVersion: String?
  public var maxProtocolVersion: String?
  public var cipherSuites: [String]?

  public init() {}
}
