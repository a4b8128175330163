import Testing

@testable import FairwayXDS

/// `TypePhase`: each transition and the action it returns, for both protocol variants.
@Suite struct TypePhaseTests {
  @Test func sotwTransitions() {
    var phase = TypePhase.unrequested
    #expect(phase.receiveSotW(.stale, subscriptionChanged: false) == .noResponse)
    #expect(phase == .unrequested && !phase.requested)
    #expect(phase.receiveSotW(.initial, subscriptionChanged: true) == .respond)
    #expect(phase == .answerOwed && phase.owesAnswer)
    // An ACK of an earlier response does not pay what is owed.
    #expect(phase.receiveSotW(.ack, subscriptionChanged: false) == .noResponse)
    #expect(phase == .answerOwed)
    phase.responded()
    #expect(phase == .awaitingAck && !phase.owesAnswer)
    #expect(phase.receiveSotW(.ack, subscriptionChanged: false) == .noResponse)
    #expect(phase == .acked)
    #expect(phase.receiveSotW(.ack, subscriptionChanged: true) == .respond)
    #expect(phase == .answerOwed)
    phase.responded()
    #expect(phase.receiveSotW(.nack("bad"), subscriptionChanged: false) == .noResponse)
    #expect(phase == .rejected)
    #expect(phase.receiveSotW(.stale, subscriptionChanged: false) == .noResponse)
    #expect(phase == .rejected)
    #expect(phase.receiveSotW(.rerequest, subscriptionChanged: false) == .respond)
    #expect(phase == .answerOwed)
  }

  @Test func deltaTransitions() {
    // The first request is answered whatever its nonce.
    var phase = TypePhase.unrequested
    #expect(phase.receiveDelta(.stale, newNames: false) == .respond)
    #expect(phase == .answerOwed)
    phase.responded()
    #expect(phase.receiveDelta(.ack, newNames: false) == .noResponse)
    #expect(phase == .acked)
    // A re-request is not owed an answer in Delta; new names are.
    #expect(phase.receiveDelta(.rerequest, newNames: false) == .noResponse)
    #expect(phase.receiveDelta(.stale, newNames: true) == .respond)
    #expect(phase == .acked)
    phase.responded()
    #expect(phase.receiveDelta(.nack("bad"), newNames: false) == .noResponse)
    #expect(phase == .rejected)
  }
}
