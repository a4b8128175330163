import Foundation

/// The floor for fan-out: one thread writes the same `size` bytes to `count` loopback TCP
/// sockets while another drains them in the same order; returns seconds from the first write until every
/// reader has all the bytes. No framing, no encoding, no scheduling beyond two threads.
enum SocketBaseline {
  static func measure(count: Int, size: Int) throws -> Double {
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard listener >= 0 else { throw LoadError.server("socket() failed") }
    defer { close(listener) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
        bind(listener, pointer, length) == 0 && listen(listener, 4096) == 0
          && getsockname(listener, pointer, &length) == 0
      }
    }
    guard ok else { throw LoadError.server("bind/listen failed") }
    var writers: [Int32] = []
    var readers: [Int32] = []
    defer { for fd in writers + readers { close(fd) } }
    for _ in 0..<count {
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      let connected = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
      }
      guard fd >= 0, connected else { throw LoadError.server("connect failed") }
      readers.append(fd)
      let accepted = accept(listener, nil, nil)
      guard accepted >= 0 else { throw LoadError.server("accept failed") }
      writers.append(accepted)
    }
    let payload = [UInt8](repeating: 0x5a, count: size)
    let readerFDs = readers
    let done = DispatchSemaphore(value: 0)
    let finished = ManagedFinish()
    // The writer fills the sockets in order, so the reader drains them in the same order
    // with plain blocking reads: no polling overhead to flatter the server.
    let readerThread = Thread {
      var buffer = [UInt8](repeating: 0, count: 1 << 20)
      for fd in readerFDs {
        var remaining = size
        while remaining > 0 {
          let got = buffer.withUnsafeMutableBytes {
            read(fd, $0.baseAddress, min($0.count, remaining))
          }
          if got <= 0 { break }
          remaining -= got
        }
      }
      finished.end = wallClock()
      done.signal()
    }
    let start = wallClock()
    readerThread.start()
    for fd in writers {
      var sent = 0
      while sent < size {
        let wrote = payload.withUnsafeBytes { bytes -> Int in
          guard let base = bytes.baseAddress else { return -1 }
          return write(fd, base + sent, size - sent)
        }
        if wrote <= 0 { break }
        sent += wrote
      }
    }
    done.wait()
    return finished.end - start
  }
}

/// The reader thread's finish time, handed to the writer after the semaphore.
private final class ManagedFinish: @unchecked Sendable {
  var end: Double = 0
}
