/// Deterministic byte mutations driven by a script of integers, so PropertyBased can shrink a
/// failing input to the few mutations that matter.
enum Mutator {
  /// Fragments that tend to confuse YAML/JSON decoders and validators.
  static let tokens: [String] = [
    ":", "- ", "{", "}", "[", "]", "&a ", "*a", "<<: *a", "!!binary ", "!!python/object ", "\"",
    "'", "\n", "\n  ", "\t", "#", "---\n", "...\n", "null", "~", "-1", "1e309",
    "99999999999999999999",
    "0x1F", "NaN", ".inf", "true", "\u{0}", "\u{FEFF}", "weight: -5", "timeout: -1s",
    "regex: \"(\"",
    "number: 70000", "kind: List\nitems:\n", "apiVersion: networking.istio.io/v1alpha3\n", "é", "😀",
  ]

  static func apply(_ script: [Int], to input: [UInt8]) -> [UInt8] {
    var bytes = input
    for step in script {
      let operation = step % 6
      let position = bytes.isEmpty ? 0 : (step / 6) % (bytes.count + 1)
      switch operation {
      case 0 where position < bytes.count:
        bytes[position] ^= UInt8(truncatingIfNeeded: 1 << ((step / 7) % 8))
      case 1 where position < bytes.count:
        bytes.remove(at: position)
      case 2:
        bytes.insert(contentsOf: Array(tokens[(step / 11) % tokens.count].utf8), at: position)
      case 3:
        bytes.removeSubrange(position...)
      case 4 where position < bytes.count:
        let end = min(bytes.count, position + 1 + (step / 13) % 64)
        bytes.insert(contentsOf: bytes[position..<end], at: end)
      default:
        bytes.insert(UInt8(truncatingIfNeeded: step / 17), at: position)
      }
    }
    return bytes
  }
}
