/// Realistic Istio documents, written the way users write them (shapes from Istio's docs).
enum Fixtures {
  static let reviewsVirtualService = """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
      namespace: bookinfo
      labels:
        app: reviews
      annotations:
        owner: team-reviews
    spec:
      hosts:
      - reviews
      http:
      - name: jason
        match:
        - headers:
            end-user:
              exact: jason
          uri:
            prefix: /reviews
          ignoreUriCase: true
        route:
        - destination:
            host: reviews
            subset: v2
      - name: default
        route:
        - destination:
            host: reviews
            subset: v1
          weight: 50
        - destination:
            host: reviews
            subset: v3
            port:
              number: 9080
          weight: 50
          headers:
            response:
              set:
                x-served-by: v3
              remove:
              - x-internal
        timeout: 10s
    """

  static let httpbinVirtualService = """
    apiVersion: networking.istio.io/v1beta1
    kind: VirtualService
    metadata:
      name: httpbin
    spec:
      hosts:
      - httpbin.org
      http:
      - match:
        - uri:
            regex: "^/status/[0-9]{3}$"
          method:
            exact: GET
          queryParams:
            debug:
              exact: "true"
        fault:
          delay:
            percentage:
              value: 10.5
            fixedDelay: 5s
          abort:
            percentage:
              value: 1
            httpStatus: 503
        retries:
          attempts: 3
          perTryTimeout: 2s
          retryOn: gateway-error,connect-failure,refused-stream
        timeout: 1.5s
        route:
        - destination:
            host: httpbin.org
        mirror:
          host: httpbin-mirror.default.svc.cluster.local
        mirrorPercentage:
          value: 25.0
        corsPolicy:
          allowOrigins:
          - exact: https://example.com
          allowMethods:
          - GET
          - POST
          maxAge: 24h
          allowCredentials: false
      - redirect:
          uri: /v2/get
          redirectCode: 301
      tcp:
      - match:
        - port: 27017
        route:
        - destination:
            host: mongo.backup.svc.cluster.local
            port:
              number: 5555
    """

  static let reviewsDestinationRule = """
    apiVersion: networking.istio.io/v1alpha3
    kind: DestinationRule
    metadata:
      name: reviews
      namespace: bookinfo
    spec:
      host: reviews.bookinfo.svc.cluster.local
      trafficPolicy:
        loadBalancer:
          simple: LEAST_REQUEST
          localityLbSetting:
            enabled: true
            failover:
            - from: us-east
              to: us-west
        connectionPool:
          tcp:
            maxConnections: 100
            connectTimeout: 30ms
            tcpKeepalive:
              time: 7200s
              interval: 75s
          http:
            http1MaxPendingRequests: 64
            http2MaxRequests: 1000
            maxRequestsPerConnection: 10
            idleTimeout: 300ms
        outlierDetection:
          consecutive5xxErrors: 7
          interval: 5m
          baseEjectionTime: 15m
          maxEjectionPercent: 50
        tls:
          mode: ISTIO_MUTUAL
        portLevelSettings:
        - port:
            number: 9080
          loadBalancer:
            consistentHash:
              httpCookie:
                name: user
                ttl: 0s
      subsets:
      - name: v1
        labels:
          version: v1
      - name: v2
        labels:
          version: v2
        trafficPolicy:
          loadBalancer:
            simple: ROUND_ROBIN
      - name: v3
        labels:
          version: v3
    """

  static let externalServiceEntry = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: httpbin-ext
    spec:
      hosts:
      - httpbin.org
      location: MESH_EXTERNAL
      ports:
      - number: 80
        name: http
        protocol: HTTP
      - number: 443
        name: https
        protocol: TLS
      resolution: DNS
      exportTo:
      - "*"
    """

  static let staticServiceEntry = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: details-vms
      namespace: bookinfo
    spec:
      hosts:
      - details.bookinfo.svc.cluster.local
      addresses:
      - 10.10.0.0/24
      location: MESH_INTERNAL
      ports:
      - number: 9080
        name: http
        protocol: HTTP
        targetPort: 8080
      resolution: STATIC
      endpoints:
      - address: 10.10.0.11
        ports:
          http: 8080
        labels:
          version: v1
        locality: us-east1/us-east1-b
        weight: 3
      - address: 10.10.0.12
        locality: us-east1/us-east1-c
    """

  static let workloadEntry = """
    apiVersion: networking.istio.io/v1
    kind: WorkloadEntry
    metadata:
      name: ratings-vm-1
      namespace: bookinfo
      labels:
        app: ratings
    spec:
      address: 10.20.0.5
      ports:
        http: 9080
      labels:
        app: ratings
        version: v1
      network: vm-network
      locality: us-west1/us-west1-a/rack-7
      weight: 2
      serviceAccount: bookinfo-ratings
    """

  static let all = [
    reviewsVirtualService, httpbinVirtualService, reviewsDestinationRule, externalServiceEntry,
    staticServiceEntry,
    workloadEntry,
  ]
}
