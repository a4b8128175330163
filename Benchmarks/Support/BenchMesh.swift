import FairwayMesh
import Foundation

/// The benchmark mesh: S services x E endpoints, shared by every benchmark so figures compare.
package enum BenchMesh {
  /// The mesh of `MeshGenerator` for services 0..<services; with `changedEndpoint`, the
  /// first service's first endpoint moved to 10.255.255.1.
  package static func yaml(services: Int, endpoints: Int, changedEndpoint: Bool = false) -> String {
    MeshGenerator(services: services, endpoints: endpoints).yaml(
      services: 0..<services, moved: changedEndpoint ? (0, 0, "10.255.255.1") : nil)
  }

  /// Parses with the real parser; exits on a parse error (the generator is at fault).
  package static func snapshot(_ yaml: String, revision: Int64) -> MeshSnapshot {
    do {
      // The bench meshes are trusted and large (10,000 services are 1.5 M values): raise the
      // limits a request body has.
      let parser = ConfigParser(limits: ParseLimits(maxValues: .max, maxBytes: .max))
      let parsed = try parser.parse(Data(yaml.utf8))
      return MeshSnapshot(revision: revision, objects: parsed.objects)
    } catch {
      print("parse failed: \(error)")
      exit(1)
    }
  }
}
