import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayTranslate
import Foundation
import SwiftProtobuf
import Testing

/// Realistic meshes written the way users write them, parsed by the real parser.
enum Meshes {
  static func snapshot(_ yaml: String, revision: Int64 = 1) throws -> MeshSnapshot {
    let parsed = try ConfigParser().parse(Data(yaml.utf8))
    return MeshSnapshot(revision: revision, objects: parsed.objects)
  }

  static func translator(_ yaml: String) throws -> MeshTranslator {
    MeshTranslator(snapshot: try snapshot(yaml))
  }

  /// `previous` brought up to `change` through `TranslationEngine`'s one update entry point,
  /// the one the push coordinator calls.
  static func translation(updating previous: MeshTranslator, with change: MeshChange) throws
    -> MeshTranslator
  {
    try #require(
      TranslationEngine().translation(updating: previous, with: change) as? MeshTranslator)
  }

  static let envoy = Proxy(
    id: "sidecar~10.0.0.9~productpage-v1-abc.default~default.svc.cluster.local",
    ipAddresses: ["10.0.0.9"], podName: "productpage-v1-abc", namespace: "default",
    labels: ["app": "productpage", "version": "v1"])

  static let grpc = Proxy(
    id: "sidecar~10.0.0.8~client.default~default.svc.cluster.local", client: .grpc,
    ipAddresses: ["10.0.0.8"], namespace: "default")

  static let mosn = Proxy(
    id: "sidecar~10.0.0.7~consumer.default~default.svc.cluster.local", client: .mosn,
    ipAddresses: ["10.0.0.7"], namespace: "default")

  /// bookinfo-like: reviews v1/v2/v3 split by weight, header match to v2, ratings STATIC.
  static let bookinfo = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: reviews, namespace: default}
    spec:
      hosts: [reviews.default.svc.cluster.local]
      location: MESH_INTERNAL
      resolution: STATIC
      ports:
      - {number: 9080, name: http, protocol: HTTP}
      workloadSelector:
        labels: {app: reviews}
    ---
    apiVersion: networking.istio.io/v1
    kind: WorkloadEntry
    metadata: {name: reviews-v1, namespace: default}
    spec: {address: 10.1.0.1, labels: {app: reviews, version: v1}, locality: us-east/zone-a}
    ---
    apiVersion: networking.istio.io/v1
    kind: WorkloadEntry
    metadata: {name: reviews-v2, namespace: default}
    spec: {address: 10.1.0.2, labels: {app: reviews, version: v2}, locality: us-east/zone-a, weight: 3}
    ---
    apiVersion: networking.istio.io/v1
    kind: WorkloadEntry
    metadata: {name: reviews-v3, namespace: default}
    spec: {address: 10.1.0.3, labels: {app: reviews, version: v3}, locality: us-east/zone-b}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: reviews, namespace: default}
    spec:
      host: reviews
      trafficPolicy:
        connectionPool:
          tcp: {maxConnections: 100, connectTimeout: 3s}
          http: {http1MaxPendingRequests: 10, http2MaxRequests: 1000, maxRetries: 5}
        outlierDetection: {consecutive5xxErrors: 7, interval: 30s, baseEjectionTime: 60s, maxEjectionPercent: 50}
      subsets:
      - {name: v1, labels: {version: v1}}
      - name: v2
        labels: {version: v2}
        trafficPolicy:
          loadBalancer: {simple: ROUND_ROBIN}
      - {name: v3, labels: {version: v3}}
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: reviews, namespace: default}
    spec:
      hosts: [reviews]
      http:
      - name: jason
        match:
        - headers:
            end-user: {exact: jason}
        route:
        - destination: {host: reviews, subset: v2}
      - name: split
        route:
        - destination: {host: reviews, subset: v1}
          weight: 50
        - destination: {host: reviews, subset: v2}
          weight: 0
        - destination: {host: reviews, subset: v3}
          weight: 50
        timeout: 5s
        retries: {attempts: 3, perTryTimeout: 2s, retryOn: "5xx,503"}
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: ratings, namespace: default}
    spec:
      hosts: [ratings.default.svc.cluster.local]
      location: MESH_INTERNAL
      resolution: STATIC
      ports:
      - {number: 9080, name: http, protocol: HTTP}
      endpoints:
      - {address: 10.2.0.1}
      - {address: 10.2.0.2}
    """

  /// An external API reached through DNS, and a TCP database with a virtual IP.
  static let external = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: httpbin, namespace: default}
    spec:
      hosts: [httpbin.org]
      location: MESH_EXTERNAL
      resolution: DNS
      ports:
      - {number: 80, name: http, protocol: HTTP}
      - {number: 443, name: tls, protocol: TLS}
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: db, namespace: default}
    spec:
      hosts: [db.example.internal]
      addresses: [10.50.0.10]
      location: MESH_EXTERNAL
      resolution: DNS
      ports:
      - {number: 5432, name: tcp-postgres, protocol: TCP}
      endpoints:
      - {address: db1.example.internal}
      - {address: db2.example.internal}
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: passthrough, namespace: default}
    spec:
      hosts: [legacy.example.com]
      resolution: NONE
      ports:
      - {number: 8080, name: http, protocol: HTTP}
    """

  /// Endpoints across regions and zones with weights.
  static let localities = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: catalog, namespace: shop}
    spec:
      hosts: [catalog.shop.svc.cluster.local]
      location: MESH_INTERNAL
      resolution: STATIC
      ports:
      - {number: 50051, name: grpc, protocol: GRPC}
      endpoints:
      - {address: 10.3.0.1, locality: eu-west/eu-west-1a/rack1, weight: 2, labels: {version: v1}}
      - {address: 10.3.0.2, locality: eu-west/eu-west-1a/rack1, weight: 3, labels: {version: v1}}
      - {address: 10.3.0.3, locality: eu-west/eu-west-1b, labels: {version: v2}}
      - {address: 10.3.0.4, locality: us-east/us-east-1a, weight: 10, labels: {version: v2}}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: catalog, namespace: shop}
    spec:
      host: catalog.shop.svc.cluster.local
      trafficPolicy:
        loadBalancer:
          consistentHash: {httpHeaderName: x-user}
      subsets:
      - {name: v2, labels: {version: v2}}
    """

  /// A gateway proxy with the labels of Istio's ingress gateway.
  static let ingressGateway = Proxy(
    id: "router~10.0.0.40~ingressgateway-1.istio-system~istio-system.svc.cluster.local",
    kind: .router, ipAddresses: ["10.0.0.40"], namespace: "istio-system",
    labels: ["app": "istio-ingressgateway", "istio": "ingressgateway"])

  /// An ingress Gateway with every server kind that needs no certificate file (plain HTTP,
  /// httpsRedirect, SNI passthrough, TCP) on unprivileged ports, merged VirtualServices, and
  /// DestinationRule TLS origination that reads only the system CA bundle. Real Envoys of every
  /// flavour take it in the acceptance gate.
  static let gateway = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: web, namespace: default}
    spec:
      hosts: [web.default.svc.cluster.local]
      ports: [{number: 9080, name: http, protocol: HTTP}]
      resolution: STATIC
      endpoints: [{address: 10.1.0.1}]
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: secure, namespace: default}
    spec:
      hosts: [secure.default.svc.cluster.local]
      ports: [{number: 9443, name: tls, protocol: TLS}]
      resolution: STATIC
      endpoints: [{address: 10.1.0.3}]
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: external-api, namespace: default}
    spec:
      hosts: [api.example.com]
      location: MESH_EXTERNAL
      ports: [{number: 80, name: http, protocol: HTTP, targetPort: 443}]
      resolution: DNS
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: external-api, namespace: default}
    spec:
      host: api.example.com
      trafficPolicy:
        tls: {mode: SIMPLE, sni: api.example.com, subjectAltNames: [api.example.com]}
      subsets:
      - name: unverified
        labels: {}
        trafficPolicy:
          tls: {mode: SIMPLE, insecureSkipVerify: true}
    ---
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata: {name: ingress, namespace: istio-system}
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 18080, name: http, protocol: HTTP}
        hosts: ["*/shop.example.com"]
      - port: {number: 18081, name: http-redirect, protocol: HTTP}
        hosts: [shop.example.com]
        tls: {httpsRedirect: true}
      - port: {number: 18443, name: tls, protocol: TLS}
        hosts: [pass.example.com]
        tls: {mode: PASSTHROUGH}
      - port: {number: 13306, name: tcp, protocol: TCP}
        hosts: ["*"]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: shop, namespace: default}
    spec:
      hosts: [shop.example.com]
      gateways: [istio-system/ingress]
      http:
      - route: [{destination: {host: web.default.svc.cluster.local}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: shop-api, namespace: default}
    spec:
      hosts: [shop.example.com]
      gateways: [istio-system/ingress, mesh]
      http:
      - match: [{uri: {prefix: /api}, gateways: [istio-system/ingress]}]
        route: [{destination: {host: api.example.com, port: {number: 80}}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: pass, namespace: default}
    spec:
      hosts: [pass.example.com]
      gateways: [istio-system/ingress]
      tls:
      - match: [{sniHosts: [pass.example.com]}]
        route: [{destination: {host: secure.default.svc.cluster.local, port: {number: 9443}}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: db, namespace: default}
    spec:
      hosts: ["*"]
      gateways: [istio-system/ingress]
      tcp:
      - route: [{destination: {host: secure.default.svc.cluster.local, port: {number: 9443}}}]
    """

  static func decode<M: SwiftProtobuf.Message>(_ type: M.Type, _ resource: EncodedResource?)
    throws -> M
  {
    guard let resource else { throw MissingResource() }
    return try M(serializedBytes: resource.bytes)
  }

  struct MissingResource: Error {}
}
