import Testing

@testable import FairwayRegistry

@Suite struct ZooKeeperSessionStateTests {
  let servers = [
    ZooKeeperEndpoint(host: "127.0.0.1", port: 2181), .init(host: "127.0.0.2", port: 2182),
  ]

  func machine() -> ZooKeeperSessionState {
    ZooKeeperSessionState(
      servers: servers, requestedTimeoutMs: 6_000, baseBackoff: .milliseconds(100),
      maxBackoff: .seconds(1))
  }

  @Test func firstConnectAsksForANewSession() {
    var state = machine()
    guard case .connect(let server, let request) = state.start() else {
      Issue.record("expected a connect")
      return
    }
    #expect(server == servers[0])
    #expect(request.sessionID == 0)
    #expect(request.password == ZooKeeperProtocol.emptyPassword)
    #expect(request.timeoutMs == 6_000)
    let established = state.handshake(.init(timeoutMs: 4_000, sessionID: 77, password: [9]))
    #expect(established == .established(newSession: true, timeoutMs: 4_000))
    #expect(state.phase == .connected(server: 0))
  }

  @Test func failuresBackOffExponentiallyUpToTheCapAndRotateServers() {
    var state = machine()
    _ = state.start()
    var waits: [Duration] = []
    var servers: [ZooKeeperEndpoint] = []
    for _ in 0..<6 {
      guard case .wait(let delay) = state.connectFailed() else {
        Issue.record("expected a wait")
        return
      }
      waits.append(delay)
      guard case .connect(let server, _) = state.retry() else {
        Issue.record("expected a connect")
        return
      }
      servers.append(server)
    }
    #expect(
      waits == [
        .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1),
        .seconds(1),
      ])
    #expect(
      servers == [
        self.servers[1], self.servers[0], self.servers[1], self.servers[0], self.servers[1],
        self.servers[0],
      ])
    // Success resets the backoff.
    _ = state.handshake(.init(timeoutMs: 4_000, sessionID: 1, password: []))
    #expect(state.failures == 0)
    #expect(state.connectionLost() == .wait(.milliseconds(100)))
  }

  @Test func aLostConnectionResumesTheSameSession() {
    var state = machine()
    _ = state.start()
    _ = state.handshake(.init(timeoutMs: 4_000, sessionID: 77, password: [1, 2]))
    state.saw(zxid: 500)
    state.saw(zxid: 300)
    #expect(state.connectionLost() == .wait(.milliseconds(100)))
    guard case .connect(let server, let request) = state.retry() else {
      Issue.record("expected a connect")
      return
    }
    #expect(server == servers[1])
    #expect(request.sessionID == 77)
    #expect(request.password == [1, 2])
    #expect(request.lastZxidSeen == 500)
    #expect(
      state.handshake(.init(timeoutMs: 4_000, sessionID: 77, password: [1, 2]))
        == .established(newSession: false, timeoutMs: 4_000))
  }

  @Test func anExpiredSessionIsReplacedByANewOne() {
    var state = machine()
    _ = state.start()
    _ = state.handshake(.init(timeoutMs: 4_000, sessionID: 77, password: [1, 2]))
    _ = state.connectionLost()
    _ = state.retry()
    // The server no longer knows session 77.
    #expect(state.handshake(.init(timeoutMs: 0, sessionID: 0, password: [])) == .expired)
    #expect(state.session == nil)
    guard case .connect(_, let request) = state.retry() else {
      Issue.record("expected a connect")
      return
    }
    #expect(request.sessionID == 0)
    #expect(request.password == ZooKeeperProtocol.emptyPassword)
    #expect(
      state.handshake(.init(timeoutMs: 4_000, sessionID: 78, password: [3]))
        == .established(newSession: true, timeoutMs: 4_000))
  }

  @Test func closeStopsAndInputsOutOfPhaseChangeNothing() {
    var state = machine()
    #expect(state.connectionLost() == .wait(.zero))  // not connected: ignored
    #expect(state.retry() == .wait(.zero))
    _ = state.start()
    #expect(state.connectionLost() == .wait(.zero))  // still connecting
    #expect(state.close() == .stop)
    #expect(state.retry() == .stop)
    #expect(state.connectFailed() == .stop)
    #expect(state.handshake(.init(timeoutMs: 1, sessionID: 1, password: [])) == .stop)
    var empty = ZooKeeperSessionState(servers: [], requestedTimeoutMs: 1)
    #expect(empty.start() == .stop)
  }

  @Test func backoffIsBoundedForAnyFailureCount() {
    for failures in [0, 1, 10, 63, 64, 1_000, Int.max] {
      let delay = ZooKeeperSessionState.backoff(
        failures: failures, base: .milliseconds(100), max: .seconds(5))
      #expect(delay >= .zero && delay <= .seconds(5))
    }
  }

  @Test func endpointLists() throws {
    #expect(
      try ZooKeeperEndpoint.parseList("127.0.0.1:2181, zk2:2182,[::1]:2183,zk4")
        == [
          .init(host: "127.0.0.1", port: 2181), .init(host: "zk2", port: 2182),
          .init(host: "::1", port: 2183), .init(host: "zk4", port: 2181),
        ])
    for bad in ["", ",", "h:0", "h:x", "h:70000", ":1"] {
      #expect(throws: ZooKeeperEndpoint.ParseError.self) { try ZooKeeperEndpoint.parseList(bad) }
    }
  }
}
