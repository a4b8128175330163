import FairwayMesh
import FairwayProto
import SwiftProtobuf

/// Envoy TLS transport sockets from Istio TLS settings, with certificates read by Envoy from
/// the files named (`filename` data sources; Fairway has no SDS).
enum TLSContexts {
  typealias Common = Envoy_Extensions_TransportSockets_Tls_V3_CommonTlsContext
  typealias Upstream = Envoy_Extensions_TransportSockets_Tls_V3_UpstreamTlsContext
  typealias Downstream = Envoy_Extensions_TransportSockets_Tls_V3_DownstreamTlsContext
  typealias Validation = Envoy_Extensions_TransportSockets_Tls_V3_CertificateValidationContext
  typealias Parameters = Envoy_Extensions_TransportSockets_Tls_V3_TlsParameters

  static let transportSocketName = "envoy.transport_sockets.tls"
  /// Where Debian (and Istio's proxy image) keep the system CA bundle: SIMPLE and MUTUAL
  /// origination without `caCertificates` verify against it, as istiod does by default
  /// (`VERIFY_CERTIFICATE_AT_CLIENT`), unless `insecureSkipVerify`.
  static let systemCABundle = "/etc/ssl/certs/ca-certificates.crt"

  /// A DestinationRule's `tls` as the cluster's transport socket; nil for DISABLE, unset, and
  /// ISTIO_MUTUAL (Fairway has no mesh CA: such clusters stay plaintext, as the sidecars it
  /// serves do). `defaultSNI` is used when `sni` is not set.
  static func upstream(_ settings: ClientTLSSettings?, defaultSNI: String?)
    -> Envoy_Config_Core_V3_TransportSocket?
  {
    guard let settings, let mode = settings.mode?.uppercased(), mode == "SIMPLE" || mode == "MUTUAL"
    else { return nil }
    var context = Upstream()
    var common = Common()
    if mode == "MUTUAL", let chain = settings.clientCertificate, let key = settings.privateKey {
      common.tlsCertificates = [certificate(chain: chain, key: key)]
    }
    if settings.insecureSkipVerify != true {
      common.validationContext = validation(
        trustedCA: settings.caCertificates ?? systemCABundle,
        subjectAltNames: settings.subjectAltNames ?? [])
    }
    context.commonTlsContext = common
    if let sni = settings.sni, !sni.isEmpty {
      context.sni = sni
    } else if let defaultSNI {
      context.sni = defaultSNI
    }
    return socket(context)
  }

  /// A Gateway server's `tls` for SIMPLE and MUTUAL termination. Istio's gateway defaults:
  /// TLS 1.2 at least, ALPN h2 and http/1.1 for HTTPS servers.
  static func downstream(_ settings: ServerTLSSettings, http: Bool)
    -> Envoy_Config_Core_V3_TransportSocket
  {
    var context = Downstream()
    var common = Common()
    var parameters = Parameters()
    parameters.tlsMinimumProtocolVersion = version(settings.minProtocolVersion) ?? .tlsv12
    if let maximum = version(settings.maxProtocolVersion) {
      parameters.tlsMaximumProtocolVersion = maximum
    }
    parameters.cipherSuites = settings.cipherSuites ?? []
    common.tlsParams = parameters
    if let chain = settings.serverCertificate, let key = settings.privateKey {
      common.tlsCertificates = [certificate(chain: chain, key: key)]
    }
    if http { common.alpnProtocols = ["h2", "http/1.1"] }
    if settings.mode?.uppercased() == "MUTUAL" {
      common.validationContext = validation(
        trustedCA: settings.caCertificates, subjectAltNames: settings.subjectAltNames ?? [])
      context.requireClientCertificate = Google_Protobuf_BoolValue(true)
    }
    context.commonTlsContext = common
    return socket(context)
  }

  private static func socket(_ context: some SwiftProtobuf.Message)
    -> Envoy_Config_Core_V3_TransportSocket
  {
    var socket = Envoy_Config_Core_V3_TransportSocket()
    socket.name = transportSocketName
    socket.typedConfig = .packed(context)
    return socket
  }

  private static func certificate(chain: String, key: String)
    -> Envoy_Extensions_TransportSockets_Tls_V3_TlsCertificate
  {
    var certificate = Envoy_Extensions_TransportSockets_Tls_V3_TlsCertificate()
    certificate.certificateChain = file(chain)
    certificate.privateKey = file(key)
    return certificate
  }

  /// Peer validation: the CA bundle, and the SANs the peer must present (Istio: `spiffe://`
  /// names as URI SANs, others as DNS SANs).
  private static func validation(trustedCA: String?, subjectAltNames: [String]) -> Validation {
    var validation = Validation()
    if let trustedCA, !trustedCA.isEmpty { validation.trustedCa = file(trustedCA) }
    validation.matchTypedSubjectAltNames = subjectAltNames.map { name in
      var matcher = Envoy_Extensions_TransportSockets_Tls_V3_SubjectAltNameMatcher()
      matcher.sanType = name.hasPrefix("spiffe://") ? .uri : .dns
      matcher.matcher.exact = name
      return matcher
    }
    return validation
  }

  private static func file(_ path: String) -> Envoy_Config_Core_V3_DataSource {
    var source = Envoy_Config_Core_V3_DataSource()
    source.filename = path
    return source
  }

  private static func version(_ text: String?) -> Parameters.TlsProtocol? {
    switch text?.uppercased() {
    case "TLSV1_0": return .tlsv10
    case "TLSV1_1": return .tlsv11
    case "TLSV1_2": return .tlsv12
    case "TLSV1_3": return .tlsv13
    default: return nil
    }
  }
}
