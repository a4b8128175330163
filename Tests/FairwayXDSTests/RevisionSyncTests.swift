import FairwayTranslate
import Testing

@testable import FairwayXDS

@Suite struct RevisionSyncTests {
  @Test func anAckedResponseHoldsItsRevisionAndNoLaterOne() {
    var sync = RevisionSync()
    sync.sent(.cluster, at: 5)
    #expect(sync.outcome(for: 5).pending == [.cluster])
    sync.answered(.cluster, .ack)
    #expect(sync.outcome(for: 5).isSynced)
    #expect(sync.outcome(for: 3).isSynced)
    #expect(sync.outcome(for: 6).pending == [.cluster])
  }

  @Test func aPushThatChangesNothingAdvancesAnAckedType() {
    var sync = RevisionSync()
    sync.sent(.listener, at: 2)
    sync.answered(.listener, .ack)
    sync.unchanged(.listener, at: 9)
    #expect(sync.outcome(for: 9).isSynced)
    #expect(sync.outcome(for: 10).pending == [.listener])
  }

  @Test func anUnchangedRevisionWaitsForTheResponseInFlight() {
    var sync = RevisionSync()
    sync.sent(.route, at: 4)
    sync.unchanged(.route, at: 7)
    // What was sent at 4 is what 7 says, but the proxy has not taken it yet.
    #expect(sync.outcome(for: 7).pending == [.route])
    sync.answered(.route, .ack)
    #expect(sync.outcome(for: 7).isSynced)
  }

  @Test func aNackRejectsItsRevisionWithTheMessageAndKeepsTheOlderOne() {
    var sync = RevisionSync()
    sync.sent(.listener, at: 3)
    sync.answered(.listener, .ack)
    sync.sent(.listener, at: 6)
    sync.answered(.listener, .nack("bad listener"))
    let outcome = sync.outcome(for: 6)
    #expect(outcome.pending.isEmpty)
    #expect(outcome.rejected == [.init(type: .listener, revision: 6, message: "bad listener")])
    #expect(sync.outcome(for: 3).isSynced)
    // A change that does not touch listeners leaves the rejected ones in place.
    sync.unchanged(.listener, at: 8)
    #expect(sync.outcome(for: 8).rejected.map(\.revision) == [8])
    // A new response the proxy accepts clears it.
    sync.sent(.listener, at: 9)
    #expect(sync.outcome(for: 8).pending == [.listener])
    sync.answered(.listener, .ack)
    #expect(sync.outcome(for: 9).isSynced)
  }

  @Test func staleAndRepeatedRequestsChangeNothing() {
    var sync = RevisionSync()
    sync.sent(.endpoint, at: 2)
    let before = sync
    sync.answered(.endpoint, .stale)
    sync.answered(.endpoint, .rerequest)
    sync.answered(.cluster, .ack)
    #expect(sync == before)
  }

  @Test func everyTypeMustHoldTheRevision() {
    var sync = RevisionSync()
    for type in [XDSResourceType.cluster, .endpoint, .listener, .route] {
      sync.sent(type, at: 1)
      sync.answered(type, .ack)
    }
    sync.sent(.cluster, at: 2)
    sync.unchanged(.endpoint, at: 2)
    sync.sent(.listener, at: 2)
    sync.unchanged(.route, at: 2)
    #expect(sync.outcome(for: 2).pending == [.cluster, .listener])
    sync.answered(.listener, .nack("no"))
    sync.answered(.cluster, .ack)
    let outcome = sync.outcome(for: 2)
    #expect(outcome.pending.isEmpty)
    #expect(outcome.rejected.map(\.type) == [.listener])
  }

  @Test func progressWakesAWaiterAndTimesOutWithout() async {
    let progress = SyncProgress()
    await progress.watching {
      let seen = progress.current
      let started = ContinuousClock.now
      await progress.wait(after: seen, until: .now + .milliseconds(50))
      #expect(ContinuousClock.now - started >= .milliseconds(50))
      let later = progress.current
      async let woken: Void = progress.wait(after: later, until: .now + .seconds(30))
      try? await Task.sleep(for: .milliseconds(20))
      progress.advance()
      await woken
      #expect(ContinuousClock.now - started < .seconds(10))
    }
  }
}
