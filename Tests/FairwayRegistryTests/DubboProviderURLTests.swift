import FairwayMesh
import Foundation
import Testing

@testable import FairwayRegistry

/// URL-encodes a provider URL the way Dubbo's ZooKeeper registry names its znodes.
func encodedNode(_ url: String) -> String {
  var allowed = CharacterSet.alphanumerics
  allowed.insert(charactersIn: "-._*")
  return url.addingPercentEncoding(withAllowedCharacters: allowed) ?? url
}

@Suite struct DubboProviderURLTests {
  static let full =
    "dubbo://10.77.0.11:20880/org.apache.dubbo.demo.DemoService?anyhost=true&application=demo-provider&dubbo=2.0.2&group=blue&interface=org.apache.dubbo.demo.DemoService&methods=sayHello,sayHelloAsync&pid=42&side=provider&timestamp=1733480000000&version=1.0.0&weight=50"

  @Test func aRegisteredProviderParses() throws {
    let provider = try DubboProviderURL.parse(encodedNode(Self.full))
    #expect(provider.host == "10.77.0.11")
    #expect(provider.port == 20880)
    #expect(provider.interface == "org.apache.dubbo.demo.DemoService")
    #expect(provider.application == "demo-provider")
    #expect(provider.version == "1.0.0")
    #expect(provider.group == "blue")
    #expect(provider.methods == ["sayHello", "sayHelloAsync"])
    #expect(provider.weight == 50)
    #expect(provider.side == "provider")
    #expect(provider.timestamp == 1_733_480_000_000)
    #expect(provider.node == encodedNode(Self.full))
  }

  struct Case: Sendable, CustomTestStringConvertible {
    var url: String
    var expect: Result<String, DubboProviderURL.ParseError>
    var testDescription: String { url }
  }

  static let cases: [Case] = [
    // Valid: what matters in each is named in `expect` as host:port/interface weight.
    .init(url: "dubbo://10.0.0.1:20880/a.B", expect: .success("10.0.0.1:20880/a.B w100")),
    .init(url: "dubbo://10.0.0.1:1/a.B?interface=c.D", expect: .success("10.0.0.1:1/c.D w100")),
    .init(url: "dubbo://[fd00::1]:20880/a.B?weight=0", expect: .success("fd00::1:20880/a.B w0")),
    .init(
      url: "dubbo://10.0.0.1:20880/a.B?side=&version=", expect: .success("10.0.0.1:20880/a.B w100")),
    .init(
      url: "dubbo://10.0.0.1:20880/a.B?flag&=x&&k=v=w", expect: .success("10.0.0.1:20880/a.B w100")),
    // Bad: each ignored with its reason.
    .init(url: "tri://10.0.0.1:50051/a.B", expect: .failure(.unsupportedProtocol("tri"))),
    .init(url: "10.0.0.1:20880/a.B", expect: .failure(.unsupportedProtocol(""))),
    .init(url: "dubbo://provider.local:20880/a.B", expect: .failure(.badHost("provider.local"))),
    .init(url: "dubbo://:20880/a.B", expect: .failure(.badHost(""))),
    .init(url: "dubbo://10.0.0.1/a.B", expect: .failure(.badPort(""))),
    .init(url: "dubbo://10.0.0.1:0/a.B", expect: .failure(.badPort("0"))),
    .init(url: "dubbo://10.0.0.1:65536/a.B", expect: .failure(.badPort("65536"))),
    .init(url: "dubbo://10.0.0.1:2x/a.B", expect: .failure(.badPort("2x"))),
    .init(url: "dubbo://[fd00::1/a.B", expect: .failure(.badHost("[fd00::1"))),
    .init(url: "dubbo://10.0.0.1:20880/", expect: .failure(.missingInterface)),
    .init(url: "dubbo://10.0.0.1:20880/a.B?interface=", expect: .failure(.missingInterface)),
    .init(url: "dubbo://10.0.0.1:20880/a$Inner", expect: .failure(.badInterface("a$Inner"))),
    .init(
      url: "dubbo://10.0.0.1:20880/a.B?side=consumer",
      expect: .failure(.notProvider(side: "consumer"))),
    .init(url: "dubbo://10.0.0.1:20880/a.B?weight=-1", expect: .failure(.badWeight("-1"))),
    .init(url: "dubbo://10.0.0.1:20880/a.B?weight=heavy", expect: .failure(.badWeight("heavy"))),
    .init(
      url: "dubbo://10.0.0.1:20880/a.B?weight=99999999999",
      expect: .failure(.badWeight("99999999999"))),
  ]

  @Test(arguments: cases) func table(_ item: Case) {
    let result: Result<String, DubboProviderURL.ParseError>
    do {
      let provider = try DubboProviderURL.parse(encodedNode(item.url))
      result = .success(
        "\(provider.host):\(provider.port)/\(provider.interface) w\(provider.weight)")
    } catch {
      result = .failure(error)
    }
    #expect(result == item.expect)
  }

  @Test func brokenEncodingAndOversizeNamesAreRefused() {
    #expect(throws: DubboProviderURL.ParseError.badEncoding) {
      try DubboProviderURL.parse("dubbo%3A%2F%2F10.0.0.1%3A20880%2Fa.B%zz")
    }
    let long = encodedNode("dubbo://10.0.0.1:20880/a.B?x=" + String(repeating: "y", count: 20_000))
    #expect(throws: DubboProviderURL.ParseError.tooLong(long.utf8.count)) {
      try DubboProviderURL.parse(long)
    }
  }

  @Test func arbitraryBytesNeverCrashTheParser() {
    var generator = SystemRandomNumberGenerator()
    let alphabet = Array("dubo:/%3AF2?&=[]1.0,x#@ \u{0}é")
    for _ in 0..<2_000 {
      let length = Int.random(in: 0..<80, using: &generator)
      let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator) ?? "x" })
      _ = try? DubboProviderURL.parse(text)
      _ = try? DubboProviderURL.parse("dubbo%3A%2F%2F" + text)
    }
  }
}
