import FairwayResources
import Testing

@testable import FairwayXDS

@Suite struct RevisionSyncTests {
  /// ACKs this long ago have let their dependent types settle.
  static let past = ContinuousClock.now - .seconds(10)

  @Test func anAckedResponseHoldsItsRevisionAndNoLaterOne() {
    var sync = RevisionSync()
    sync.sent(.cluster, at: 5)
    #expect(sync.outcome(for: 5).pending == [.cluster])
    sync.answered(.cluster, .ack, at: Self.past)
    #expect(sync.outcome(for: 5).isSynced)
    #expect(sync.outcome(for: 3).isSynced)
    #expect(sync.outcome(for: 6).pending == [.cluster])
  }

  @Test func aPushThatChangesNothingAdvancesAnAckedType() {
    var sync = RevisionSync()
    sync.sent(.listener, at: 2)
    sync.answered(.listener, .ack, at: Self.past)
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
    sync.answered(.route, .ack, at: Self.past)
    #expect(sync.outcome(for: 7).isSynced)
  }

  @Test func aNackRejectsItsRevisionWithTheMessageAndKeepsTheOlderOne() {
    var sync = RevisionSync()
    sync.sent(.listener, at: 3)
    sync.answered(.listener, .ack, at: Self.past)
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
    sync.answered(.listener, .ack, at: Self.past)
    #expect(sync.outcome(for: 9).isSynced)
  }

  @Test func staleAndRepeatedRequestsChangeNothing() {
    var sync = RevisionSync()
    sync.sent(.endpoint, at: 2)
    let before = sync
    sync.answered(.endpoint, .stale)
    sync.answered(.endpoint, .rerequest)
    sync.answered(.cluster, .ack, at: Self.past)
    #expect(sync.types == before.types && sync.settlesAt == nil)
  }

  @Test func everyTypeMustHoldTheRevision() {
    var sync = RevisionSync()
    for type in [XDSResourceType.cluster, .endpoint, .listener, .route] {
      sync.sent(type, at: 1)
      sync.answered(type, .ack, at: Self.past)
    }
    sync.sent(.cluster, at: 2)
    sync.unchanged(.endpoint, at: 2)
    sync.sent(.listener, at: 2)
    sync.unchanged(.route, at: 2)
    #expect(sync.outcome(for: 2).pending == [.cluster, .listener])
    sync.answered(.listener, .nack("no"))
    let acked = ContinuousClock.now
    sync.answered(.cluster, .ack, at: acked)
    let outcome = sync.outcome(for: 2, at: acked + .seconds(1))
    #expect(outcome.pending.isEmpty)
    #expect(outcome.rejected.map(\.type) == [.listener])
  }

  @Test func aDependentTypeSettlesAfterItsParentsAck() {
    var sync = RevisionSync()
    let start = ContinuousClock.now
    sync.sent(.listener, at: 3)
    // The first listeners: routes were never asked for, yet Envoy is about to.
    sync.answered(.listener, .ack, at: start)
    #expect(sync.outcome(for: 3, at: start).pending == [.route])
    #expect(sync.settlesAt == start + RevisionSync.settle)
    #expect(sync.outcome(for: 3, at: start + RevisionSync.settle).isSynced)
    // Its request ends the settling at once; the response it gets is then awaited.
    sync.sent(.listener, at: 4)
    sync.answered(.listener, .ack, at: start)
    sync.answered(.route, .initial, at: start)
    sync.sent(.route, at: 4)
    #expect(sync.outcome(for: 4, at: start).pending == [.route])
    sync.answered(.route, .ack, at: start)
    #expect(sync.outcome(for: 4, at: start).isSynced)
    // An ACK that answers nothing new (no response in flight) does not start a settle.
    sync.answered(.listener, .ack, at: start)
    #expect(sync.outcome(for: 4, at: start).isSynced)
    // Nor does one after the client already spoke about routes (Envoy's order).
    sync.sent(.listener, at: 5)
    sync.unchanged(.route, at: 5)
    sync.answered(.route, .ack, at: start)
    sync.answered(.listener, .ack, at: start)
    #expect(sync.outcome(for: 5, at: start).isSynced)
    #expect(sync.settlesAt == nil || sync.settlesAt.map { $0 <= start } == true)
  }

  @Test func progressWakesAWaiterAndTimesOutWithout() async {
    let progress = SyncProgress()
    await progress.watching {
      let seen = progress.current
      let started = ContinuousClock.now
      await progress.wait(after: seen, until: .now + .milliseconds(50))
      #expect(ContinuousClock.now - started >= .milliseconds(50))
      let later = progress.current
      // The deadline is far away, so only the wake-up can end the wait early. The bound is
      // loose: parallel CPU-bound suites (fuzzing) can keep both cooperative threads busy for
      // seconds on a 2-core machine.
      async let woken: Void = progress.wait(after: later, until: .now + .seconds(120))
      try? await Task.sleep(for: .milliseconds(20))
      progress.advance()
      await woken
      #expect(ContinuousClock.now - started < .seconds(60))
    }
  }
}
