import Foundation

/// How many inputs each property sees: a few hundred in `make test`, many more in `make fuzz`.
enum FuzzSettings {
  static var count: Int {
    ProcessInfo.processInfo.environment["FAIRWAY_FUZZ_COUNT"].flatMap(Int.init) ?? 300
  }
}
