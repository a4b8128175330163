import Foundation

/// Left-aligned columns separated by three spaces, like kubectl and istioctl print; no
/// trailing blanks when the last cells are empty.
public enum TextTable {
  /// `rows` as aligned text, each line prefixed by `indent`.
  public static func render(_ rows: [[String]], indent: String = "") -> String {
    let columns = rows.map(\.count).max() ?? 0
    let widths = (0..<columns).map { column in
      rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
    }
    return rows.map { row in
      indent
        + row.enumerated().map { index, cell in
          index == row.count - 1
            ? cell : cell.padding(toLength: widths[index] + 3, withPad: " ", startingAt: 0)
        }.joined().trimmingTrailingSpaces()
    }.joined(separator: "\n")
  }
}

extension String {
  fileprivate func trimmingTrailingSpaces() -> String {
    var text = Substring(self)
    while text.last == " " { text = text.dropLast() }
    return String(text)
  }
}
