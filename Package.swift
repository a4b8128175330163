// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
  .swiftLanguageMode(.v6)
]

let package = Package(
  name: "fairway",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "fairway", targets: ["fairway"])
  ],
  dependencies: [
    .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
    .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
    .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
    .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
    .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    // Hummingbird's header types, named directly by the admin API (`Fairway-Revision`).
    .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    // Microbenchmarks with malloc counts (Benchmarks/FairwayMicro); the interposer only.
    .package(
      url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
  ],
  targets: [
    // Generated from Protos/ by `make protos`; never edited by hand.
    .target(
      name: "FairwayProto",
      dependencies: [
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
      ],
      swiftSettings: swiftSettings
    ),
    // The admin API's types (debug JSON, errors, apply results) and its HTTP client: the
    // server encodes them, the CLI decodes them. Foundation only.
    .target(
      name: "FairwayAPI",
      swiftSettings: swiftSettings
    ),
    // Istio networking model: decoding, validation, encoding.
    .target(
      name: "FairwayMesh",
      dependencies: [.product(name: "Yams", package: "Yams")],
      swiftSettings: swiftSettings
    ),
    // Revisioned config store and change events.
    .target(
      name: "FairwayStore",
      dependencies: ["FairwayMesh", .product(name: "NIOPosix", package: "swift-nio")],
      swiftSettings: swiftSettings
    ),
    // The xDS vocabulary the server and the translation share (resource types, encoded
    // resources and sets, proxies, config dumps) and the serving protocols between them.
    .target(
      name: "FairwayResources",
      dependencies: [
        "FairwayMesh", "FairwayProto", "FairwayStore",
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: swiftSettings
    ),
    // Mesh snapshot + proxy -> Envoy v3 resources; which types a change pushes.
    .target(
      name: "FairwayTranslate",
      dependencies: [
        "FairwayMesh", "FairwayProto", "FairwayStore", "FairwayResources",
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: swiftSettings
    ),
    // ADS server, debounce, per-stream state; serves any `MeshTranslationEngine`.
    // glibc's allocator controls (malloc.h is not in Swift's Glibc module).
    .target(name: "CFairwayAllocator"),
    .target(
      name: "FairwayXDS",
      dependencies: [
        "FairwayAPI", "FairwayMesh", "FairwayStore", "FairwayResources", "FairwayProto",
        "CFairwayAllocator",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP2", package: "swift-nio-http2"),
        .product(name: "NIOCertificateReloading", package: "swift-nio-extras"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "CoreMetrics", package: "swift-metrics"),
      ],
      swiftSettings: swiftSettings
    ),
    // etcd v3 client and the etcd-backed ConfigStore (several replicas, issue #23).
    .target(
      name: "FairwayEtcd",
      dependencies: [
        "FairwayMesh", "FairwayStore", "FairwayProto",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
    // MCP over xDS (issue #22): Istio's collections encoded as `istio.mcp.v1alpha1.Resource`s
    // (the ADS server serves them through `ConfigCollectionEncoder`) and the sink that pulls
    // them from another source into the store.
    .target(
      name: "FairwayMCP",
      dependencies: [
        "FairwayMesh", "FairwayStore", "FairwayResources", "FairwayProto",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: swiftSettings
    ),
    // Config sources beside the admin API (issue #22): auto-registration of proxies from
    // WorkloadGroups, and the Dubbo registry in ZooKeeper (our own ZooKeeper client over
    // SwiftNIO) keeping registry-owned ServiceEntries in the store.
    .target(
      name: "FairwayRegistry",
      dependencies: [
        "FairwayMesh", "FairwayProto", "FairwayResources", "FairwayStore",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "CoreMetrics", package: "swift-metrics"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: swiftSettings
    ),
    // Admin HTTP API and debug endpoints.
    .target(
      name: "FairwayAdmin",
      dependencies: [
        "FairwayAPI", "FairwayAnalyze", "FairwayMesh", "FairwayStore", "FairwayResources",
        "FairwayXDS", "CFairwayAllocator",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdCore", package: "hummingbird"),
        .product(name: "HummingbirdTLS", package: "hummingbird"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "CoreMetrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
      ],
      swiftSettings: swiftSettings
    ),
    // Cross-object config analysis (`fairway analyze`) and the proxy-config tables.
    .target(
      name: "FairwayAnalyze",
      dependencies: ["FairwayMesh", "FairwayTranslate"],
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "fairway",
      dependencies: [
        "FairwayAPI", "FairwayMesh", "FairwayStore", "FairwayTranslate", "FairwayXDS",
        "FairwayAdmin", "FairwayAnalyze", "FairwayEtcd", "FairwayMCP", "FairwayRegistry",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "NIOCertificateReloading", package: "swift-nio-extras"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: swiftSettings
    ),
    // The mesh every benchmark generates.
    .target(
      name: "FairwayBenchSupport",
      dependencies: ["FairwayMesh"],
      path: "Benchmarks/Support",
      swiftSettings: swiftSettings
    ),
    // Translation at mesh scale (1,000 services x 10 endpoints); see BENCHMARKS.md.
    .executableTarget(
      name: "fairway-bench",
      dependencies: ["FairwayMesh", "FairwayResources", "FairwayTranslate", "FairwayBenchSupport"],
      path: "Benchmarks/FairwayBench",
      swiftSettings: swiftSettings
    ),
    // Microbenchmarks (ordo-one/benchmark): translation, encoding, push path, malloc counts.
    .executableTarget(
      name: "FairwayMicro",
      dependencies: [
        "FairwayMesh", "FairwayResources", "FairwayTranslate", "FairwayXDS", "FairwayProto",
        "FairwayBenchSupport",
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "Benchmarks/FairwayMicro",
      swiftSettings: swiftSettings,
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
    // Load generator and driver: the real server, N simulated sidecars; see BENCHMARKS.md.
    .executableTarget(
      name: "fairway-load",
      dependencies: [
        "FairwayProto", "FairwayBenchSupport",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Benchmarks/FairwayLoad",
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "FairwayProtoTests",
      dependencies: ["FairwayProto", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
      swiftSettings: swiftSettings
    ),
    // Golden JSON of the admin API types, captured from the server before they existed.
    .testTarget(
      name: "FairwayAPITests",
      dependencies: ["FairwayAPI"],
      exclude: ["Golden"],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "FairwayMeshTests",
      dependencies: ["FairwayMesh"],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "FairwayAnalyzeTests",
      dependencies: [
        "FairwayAnalyze", "FairwayMesh", "FairwayProto", "FairwayResources", "FairwayTranslate",
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "FairwayStoreTests",
      dependencies: ["FairwayStore", "FairwayMesh"],
      swiftSettings: swiftSettings
    ),
    // Against a real etcd the tests start on loopback (Debian's etcd-server).
    .testTarget(
      name: "FairwayEtcdTests",
      dependencies: ["FairwayEtcd", "FairwayStore", "FairwayMesh", "FairwayProto"],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "FairwayTranslateTests",
      dependencies: [
        "FairwayTranslate", "FairwayResources", "FairwayMesh", "FairwayProto", "FairwayStore",
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "FairwayXDSTests",
      dependencies: [
        "FairwayXDS", "FairwayResources", "FairwayStore", "FairwayMesh", "FairwayProto",
        "FairwayTranslate", "FairwayRegistry",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOEmbedded", package: "swift-nio"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: swiftSettings
    ),
    // Property-based fuzzing of config decoding and xDS request handling.
    .testTarget(
      name: "FairwayFuzzTests",
      dependencies: [
        "FairwayMesh", "FairwayStore", "FairwayResources", "FairwayTranslate", "FairwayXDS",
        "FairwayProto", "FairwayMCP",
        .product(name: "PropertyBased", package: "swift-property-based"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: swiftSettings
    ),
    // Conversion round trips over Examples/ (the random meshes: FairwayFuzzTests), the sink's
    // state machine and batches; processes talking MCP are in Tests/interop/test_mcp.py.
    .testTarget(
      name: "FairwayMCPTests",
      dependencies: [
        "FairwayMCP", "FairwayMesh", "FairwayStore", "FairwayProto", "FairwayResources",
        "FairwayTranslate",
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: swiftSettings
    ),
    // Auto-registration's state machine and controller; the ZooKeeper codec and session state
    // machine, Dubbo provider URLs, the conversion.
    .testTarget(
      name: "FairwayRegistryTests",
      dependencies: [
        "FairwayRegistry", "FairwayResources", "FairwayStore", "FairwayMesh", "FairwayProto",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "FairwayAdminTests",
      dependencies: [
        "FairwayAdmin", "FairwayAPI", "FairwayStore", "FairwayMesh", "FairwayResources",
        "FairwayTranslate", "FairwayXDS",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdTesting", package: "hummingbird"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
      ],
      swiftSettings: swiftSettings
    ),
  ]
)
