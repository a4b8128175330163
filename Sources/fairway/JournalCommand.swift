import ArgumentParser
import FairwayStore
import Foundation

/// `fairway journal check|repair --data-dir DIR`: what `serve --data-dir` would restore, and
/// the way back from a damaged journal.
struct JournalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "journal",
    abstract: "Check or repair the journal in a --data-dir.",
    subcommands: [Check.self, Repair.self])

  /// `fairway journal check`: reports, changes nothing.
  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Report the snapshot, the journal's records and revision, and any damage.",
      discussion: """
        Exit status: 0 when clean; 2 when only a torn tail (a crash while appending) is found, \
        which `serve` drops by itself at start; 1 for damage `serve` refuses to start on \
        (see `fairway journal repair`).
        """)

    @Option(help: "The directory given to `serve --data-dir`.")
    var dataDir: String

    func run() throws {
      let report = try JournalCommand.run(on: dataDir) {
        try FileConfigJournal.check(directory: $0)
      }
      if let snapshot = report.snapshot {
        print("snapshot.json: revision \(snapshot.revision), \(snapshot.objects) objects")
      } else if let error = report.snapshotError {
        print("snapshot.json: UNREADABLE: \(error)")
      } else {
        print("snapshot.json: none")
      }
      print("journal.log: \(report.journalBytes) bytes, \(report.records) good records")
      print("revision at start: \(report.revision)")
      guard let damage = report.damage else {
        if report.snapshotError != nil { throw ExitCode.failure }
        print("clean")
        return
      }
      print("damage: \(damage)")
      if damage.kind == .tornTail, report.snapshotError == nil {
        print("serve drops a torn tail at start by itself (nothing acknowledged is in it)")
        throw ExitCode(2)
      }
      print(
        "serve refuses to start; `fairway journal repair --data-dir \(dataDir)` keeps the \(report.records) records before offset \(damage.offset) and moves the rest aside"
      )
      throw ExitCode.failure
    }
  }

  /// `fairway journal repair`: keeps the good prefix, moves the damaged rest aside.
  struct Repair: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Keep every good record before the first damage; move the rest of journal.log to journal.log.damaged-<time>.",
      discussion: "Stop the server first. Nothing is deleted: the side file keeps the bytes.")

    @Option(help: "The directory given to `serve --data-dir`.")
    var dataDir: String

    func run() throws {
      let report = try JournalCommand.run(on: dataDir) {
        try FileConfigJournal.repair(directory: $0)
      }
      guard let damage = report.damage, let sidePath = report.sidePath else {
        print(
          "journal is clean: \(report.keptRecords) records, revision \(report.revision); nothing to do"
        )
        return
      }
      print("found: \(damage)")
      print(
        "kept: \(report.keptRecords) records (\(report.keptBytes) bytes), revision \(report.revision)"
      )
      print(
        "moved aside: \(damage.bytes) bytes (\(damage.recordsAfter) well-formed records after the damage) to \(sidePath)"
      )
    }
  }

  /// `body` on an existing data directory; any failure ends the command with its message.
  static func run<Report>(on dataDir: String, _ body: (String) throws -> Report) throws -> Report {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: dataDir, isDirectory: &isDirectory),
      isDirectory.boolValue
    else {
      throw CLIError("error: --data-dir \(dataDir): not a directory")
    }
    do {
      return try body(dataDir)
    } catch {
      throw CLIError("error: \(error)")
    }
  }
}
