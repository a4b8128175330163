import FairwayMCP
import Testing

/// The sink's per-collection state machine: every transition and the requests it sends.
@Suite struct MCPSinkTypeStateTests {
  @Test func acceptedResponseIsAppliedThenACKed() {
    var state = MCPSinkTypeState.initial
    #expect(state.handle(.streamOpened) == [.request(versionInfo: "", nonce: "", errorDetail: nil)])
    #expect(state.handle(.streamOpened) == [])
    #expect(
      state.handle(.response(version: "v1", nonce: "1", problem: nil)) == [.apply(version: "v1")])
    #expect(state == .applying(accepted: "", version: "v1", nonce: "1"))
    // A response while applying is not taken (one at a time).
    #expect(state.handle(.response(version: "v2", nonce: "2", problem: nil)) == [])
    #expect(
      state.handle(.applied(problem: nil)) == [
        .request(versionInfo: "v1", nonce: "1", errorDetail: nil)
      ])
    #expect(state == .synced(accepted: "v1", nonce: "1"))
  }

  @Test func invalidResponseIsNACKedWithTheLastAcceptedVersion() {
    var state = MCPSinkTypeState.synced(accepted: "v1", nonce: "1")
    let actions = state.handle(.response(version: "v2", nonce: "2", problem: "spec.hosts: bad"))
    #expect(actions == [.request(versionInfo: "v1", nonce: "2", errorDetail: "spec.hosts: bad")])
    #expect(state == .rejected(accepted: "v1", nonce: "2", error: "spec.hosts: bad"))
    // The next good set is applied and acknowledged.
    #expect(
      state.handle(.response(version: "v3", nonce: "3", problem: nil)) == [.apply(version: "v3")])
    #expect(
      state.handle(.applied(problem: nil)) == [
        .request(versionInfo: "v3", nonce: "3", errorDetail: nil)
      ])
  }

  @Test func storeRefusalIsANACK() {
    var state = MCPSinkTypeState.waiting(accepted: "v1")
    _ = state.handle(.response(version: "v2", nonce: "5", problem: nil))
    #expect(
      state.handle(.applied(problem: "conflict")) == [
        .request(versionInfo: "v1", nonce: "5", errorDetail: "conflict")
      ])
    #expect(state.accepted == "v1")
  }

  /// A reconnect asks again with the version last applied; nothing is forgotten.
  @Test func reconnectKeepsTheAcceptedVersion() {
    var state = MCPSinkTypeState.synced(accepted: "v7", nonce: "9")
    #expect(state.handle(.streamClosed) == [])
    #expect(state == .idle(accepted: "v7"))
    #expect(state.handle(.response(version: "v8", nonce: "1", problem: nil)) == [])
    #expect(state.handle(.applied(problem: nil)) == [])
    #expect(
      state.handle(.streamOpened) == [.request(versionInfo: "v7", nonce: "", errorDetail: nil)])
    var applying = MCPSinkTypeState.applying(accepted: "v1", version: "v2", nonce: "3")
    _ = applying.handle(.streamClosed)
    #expect(applying == .idle(accepted: "v1"))
  }
}
