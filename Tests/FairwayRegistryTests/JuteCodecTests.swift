import NIOCore
import Testing

@testable import FairwayRegistry

@Suite struct JuteCodecTests {
  static let connectRequest = ZooKeeperConnectRequest(
    lastZxidSeen: 0x1_0000_0042, timeoutMs: 10_000, sessionID: 0x7f00_0000_0000_0001,
    password: Array(0..<16))

  static let requests: [ZooKeeperRequest] = [
    .exists(path: "/dubbo", watch: true),
    .getData(path: "/dubbo/a", watch: false),
    .getChildren(path: "/dubbo/com.example.Greeter/providers", watch: true),
    .getChildren2(path: "/", watch: false),
    .setWatches(
      relativeZxid: 99, data: [], exist: ["/dubbo"], child: ["/dubbo", "/dubbo/x/providers"]),
    .ping,
    .closeSession,
  ]

  func payload(_ frame: ByteBuffer) throws -> ByteBuffer {
    var frame = frame
    let payload = try ZooKeeperFrames.next(from: &frame, maxLength: 1 << 20)
    #expect(frame.readableBytes == 0)
    return try #require(payload)
  }

  @Test func connectRequestRoundTrips() throws {
    var reader = JuteReader(try payload(Self.connectRequest.frame()))
    #expect(try ZooKeeperConnectRequest.decode(&reader) == Self.connectRequest)
    #expect(reader.remaining == 0)
  }

  @Test func connectResponseRoundTripsWithAndWithoutReadOnly() throws {
    let response = ZooKeeperConnectResponse(
      timeoutMs: 4_000, sessionID: 42, password: [1, 2, 3], readOnly: true)
    var writer = JuteWriter()
    response.encode(into: &writer)
    var reader = JuteReader(writer.buffer)
    #expect(try ZooKeeperConnectResponse.decode(&reader) == response)
    // A pre-3.4 server ends the record before readOnly.
    var old = writer.buffer
    old.moveWriterIndex(to: old.writerIndex - 1)
    var oldReader = JuteReader(old)
    var expected = response
    expected.readOnly = false
    #expect(try ZooKeeperConnectResponse.decode(&oldReader) == expected)
  }

  @Test(arguments: requests) func requestRoundTrips(_ request: ZooKeeperRequest) throws {
    var reader = JuteReader(try payload(request.frame(xid: 7)))
    let decoded = try ZooKeeperRequest.decode(&reader)
    #expect(decoded.request == request)
    #expect(decoded.xid == (request.reservedXid ?? 7))
    #expect(reader.remaining == 0)
  }

  @Test func requestLayoutMatchesJute() throws {
    // RequestHeader{xid=5, type=8} + GetChildrenRequest{path="/a", watch=true}.
    let frame = ZooKeeperRequest.getChildren(path: "/a", watch: true).frame(xid: 5)
    #expect(
      Array(frame.readableBytesView) == [
        0, 0, 0, 15, 0, 0, 0, 5, 0, 0, 0, 8, 0, 0, 0, 2, UInt8(ascii: "/"), UInt8(ascii: "a"), 1,
      ])
    #expect(ZooKeeperRequest.ping.reservedXid == -2)
    #expect(ZooKeeperRequest.ping.opCode.rawValue == 11)
    #expect(ZooKeeperRequest.getChildren2(path: "/", watch: false).opCode.rawValue == 12)
    #expect(
      ZooKeeperRequest.setWatches(relativeZxid: 0, data: [], exist: [], child: []).opCode.rawValue
        == 101)
  }

  @Test func replyHeaderWatcherEventAndStatRoundTrip() throws {
    var writer = JuteWriter()
    let header = ZooKeeperReplyHeader(xid: -1, zxid: -1, error: 0)
    let event = ZooKeeperWatcherEvent(type: 4, state: 3, path: "/dubbo/x/providers")
    var stat = ZooKeeperStat()
    stat.czxid = 1
    stat.ephemeralOwner = 0x55
    stat.numChildren = 3
    stat.pzxid = 9
    header.encode(into: &writer)
    event.encode(into: &writer)
    stat.encode(into: &writer)
    #expect(writer.buffer.readableBytes == 16 + 12 + 18 + 68)
    var reader = JuteReader(writer.buffer)
    #expect(try ZooKeeperReplyHeader.decode(&reader) == header)
    let decoded = try ZooKeeperWatcherEvent.decode(&reader)
    #expect(decoded == event)
    #expect(decoded.eventType == .nodeChildrenChanged)
    #expect(try ZooKeeperStat.decode(&reader) == stat)
    #expect(reader.remaining == 0)
  }

  @Test func everyTruncationOfARecordThrowsTruncated() throws {
    var writer = JuteWriter()
    ZooKeeperReplyHeader(xid: 3, zxid: 10, error: 0).encode(into: &writer)
    writer.strings(["dubbo%3A%2F%2F10.0.0.1%3A20880%2Fa.B", "x"])
    let full = writer.buffer
    for length in 0..<full.readableBytes {
      var reader = JuteReader(full.getSlice(at: 0, length: length) ?? ByteBuffer())
      #expect(throws: JuteError.self) {
        _ = try ZooKeeperReplyHeader.decode(&reader)
        _ = try reader.strings("children")
      }
    }
  }

  @Test func hostileLengthsAreRefusedBeforeAllocating() throws {
    var writer = JuteWriter()
    writer.int(Int32.max)  // a vector "of two billion strings" in a 4-byte record
    var reader = JuteReader(writer.buffer, maxLength: 1 << 20)
    #expect(throws: JuteError.tooLong(field: "children", length: Int(Int32.max))) {
      _ = try reader.strings("children")
    }
    var negative = JuteWriter()
    negative.int(-5)
    var negativeReader = JuteReader(negative.buffer)
    #expect(throws: JuteError.negativeLength(field: "path", length: -5)) {
      _ = try negativeReader.string("path")
    }
    var null = JuteWriter()
    null.string(nil)
    var nullReader = JuteReader(null.buffer)
    #expect(try nullReader.string("path") == nil)
  }

  @Test func framesWaitForTheirLastByteAndRespectTheBound() throws {
    let frame = ZooKeeperRequest.getChildren(path: "/dubbo", watch: true).frame(xid: 1)
    for cut in 0..<frame.readableBytes {
      var partial = frame.getSlice(at: 0, length: cut) ?? ByteBuffer()
      let before = partial
      #expect(try ZooKeeperFrames.next(from: &partial, maxLength: 1024) == nil)
      #expect(partial == before)  // nothing consumed
    }
    var two = frame
    two.writeImmutableBuffer(ZooKeeperRequest.ping.frame(xid: 0))
    #expect(try ZooKeeperFrames.next(from: &two, maxLength: 1024) != nil)
    #expect(try ZooKeeperFrames.next(from: &two, maxLength: 1024) != nil)
    #expect(two.readableBytes == 0)

    var huge = ByteBuffer()
    huge.writeInteger(Int32(5_000_000))
    #expect(throws: ZooKeeperFrames.FrameError.badLength(5_000_000, max: 1 << 20)) {
      _ = try ZooKeeperFrames.next(from: &huge, maxLength: 1 << 20)
    }
    var negative = ByteBuffer()
    negative.writeInteger(Int32(-1))
    #expect(throws: ZooKeeperFrames.FrameError.self) {
      _ = try ZooKeeperFrames.next(from: &negative, maxLength: 1 << 20)
    }
  }
}
