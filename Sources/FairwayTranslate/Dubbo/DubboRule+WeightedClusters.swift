import FairwayProto
import SwiftProtobuf

extension DubboRule {
  /// The destinations as Envoy's weighted clusters (name and weight only: all Envoy's Dubbo
  /// router reads).
  var weightedClusters: Envoy_Config_Route_V3_WeightedCluster {
    var weighted = Envoy_Config_Route_V3_WeightedCluster()
    weighted.clusters = destinations.map { destination in
      var entry = Envoy_Config_Route_V3_WeightedCluster.ClusterWeight()
      entry.name = destination.cluster
      entry.weight = Google_Protobuf_UInt32Value(destination.weight)
      return entry
    }
    return weighted
  }
}
