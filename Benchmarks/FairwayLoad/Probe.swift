import Foundation
import Synchronization

/// Shared by every simulated stream: which change the driver is waiting for (a marker byte
/// string that only the changed resource contains), when each stream first received it, and
/// how far each stream has synced.
final class Probe: Sendable {
  struct Armed {
    var generation = 0
    var typeURL = ""
    var marker: [UInt8] = []
    /// Stream id -> wall-clock seconds of the first response carrying the marker.
    var received: [Int: Double] = [:]
    /// Size of the last response that carried the marker.
    var bytes = 0
  }

  private let armed = Mutex(Armed())
  /// Streams that have received CDS, EDS, LDS and RDS at least once.
  let synced = Atomic<Int>(0)
  let errors = Atomic<Int>(0)
  let responses = Atomic<Int>(0)
  let responseBytes = Atomic<Int>(0)
  /// Set before the driver ends the streams, so their cancellation is not counted as an error.
  let stopping = Atomic<Bool>(false)
  private let firstError = Mutex<String?>(nil)

  /// Starts waiting for `marker` in responses of `typeURL`; returns the new generation.
  func arm(marker: [UInt8], typeURL: String) -> Int {
    armed.withLock { state in
      state.generation += 1
      state.marker = marker
      state.typeURL = typeURL
      state.received = [:]
      state.bytes = 0
      return state.generation
    }
  }

  func disarm() {
    armed.withLock { state in
      state.marker = []
      state.typeURL = ""
    }
  }

  /// The generation whose marker `bytes` (a response of `typeURL`) carries, or 0.
  func markerGeneration(in bytes: UnsafeRawBufferPointer, typeURL: String) -> Int {
    let (generation, marker) = armed.withLock { state -> (Int, [UInt8]) in
      guard state.typeURL == typeURL else { return (0, []) }
      return (state.generation, state.marker)
    }
    guard generation > 0, Wire.contains(bytes, marker) else { return 0 }
    return generation
  }

  func record(stream: Int, generation: Int, at time: Double, bytes: Int) {
    armed.withLock { state in
      guard state.generation == generation, state.received[stream] == nil else { return }
      state.received[stream] = time
      state.bytes = bytes
    }
  }

  /// How many streams have received generation `generation`'s marker, and the latest time.
  func progress(_ generation: Int) -> (count: Int, last: Double, bytes: Int) {
    armed.withLock { state in
      guard state.generation == generation else { return (0, 0, 0) }
      return (state.received.count, state.received.values.max() ?? 0, state.bytes)
    }
  }

  func fail(_ message: String) {
    guard !stopping.load(ordering: .relaxed) else { return }
    errors.add(1, ordering: .relaxed)
    firstError.withLock { if $0 == nil { $0 = message } }
  }

  var firstErrorMessage: String? { firstError.withLock { $0 } }
}

/// Wall-clock seconds; the driver and the streams share it, and it is what the 200 of an apply
/// is stamped with.
func wallClock() -> Double {
  var spec = timespec()
  clock_gettime(CLOCK_REALTIME, &spec)
  return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}
