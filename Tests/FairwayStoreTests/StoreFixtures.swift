import FairwayMesh
import Foundation

enum StoreFixtures {
  /// A WorkloadEntry object; `address` varies the spec.
  static func workload(
    _ name: String, namespace: String = "default", address: String = "10.0.0.1",
    resourceVersion: String? = nil
  )
    -> ConfigObject
  {
    var spec = WorkloadEntry()
    spec.address = address
    return ConfigObject(
      key: ConfigKey(kind: .workloadEntry, namespace: namespace, name: name),
      apiVersion: "networking.istio.io/v1",
      metadata: ConfigMetadata(resourceVersion: resourceVersion),
      spec: .workloadEntry(spec),
      rawSpec: .object(["address": .string(address)]))
  }
}
