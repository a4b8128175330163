import ArgumentParser
import FairwayAPI
import FairwayMesh

extension ConfigKind: ExpressibleByArgument {
  /// Accepts kind, plural or short name in any case: `VirtualService`, `virtualservices`, `vs`.
  public init?(argument: String) {
    self.init(userInput: argument)
  }

  public static var allValueStrings: [String] { allCases.map(\.shortName) + allCases.map(\.plural) }
}

extension ConfigKind {
  /// The admin API collection of this kind, at the version the CLI writes.
  var resourceType: ResourceType {
    ResourceType(apiVersion: ConfigKind.preferredAPIVersion, plural: plural)
  }
}
