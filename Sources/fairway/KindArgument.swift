import ArgumentParser
import FairwayMesh

extension ConfigKind: ExpressibleByArgument {
  /// Accepts kind, plural or short name in any case: `VirtualService`, `virtualservices`, `vs`.
  public init?(argument: String) {
    self.init(userInput: argument)
  }

  public static var allValueStrings: [String] { allCases.map(\.shortName) + allCases.map(\.plural) }
}
