import FairwayMesh
import FairwayProto
import FairwayResources
import Foundation
import SwiftProtobuf

/// Envoy's Dubbo routes for one proxy view: per Dubbo port a `MultipleRouteConfiguration` named
/// after the port (what the outbound listener's `drds` asks for), holding one route
/// configuration per interface, and more for the group/version pins a VirtualService makes.
struct DubboRouteBuilder: Sendable {
  typealias MultipleRouteConfiguration =
    Envoy_Extensions_Filters_Network_DubboProxy_V3_MultipleRouteConfiguration
  typealias RouteConfiguration = Envoy_Extensions_Filters_Network_DubboProxy_V3_RouteConfiguration
  typealias Route = Envoy_Extensions_Filters_Network_DubboProxy_V3_Route

  let index: MeshIndex
  let view: ProxyView

  /// One per Dubbo port the view can reach, sorted by port.
  func routeConfigs() -> [MultipleRouteConfiguration] {
    var servicesByPort: [UInt32: [(MeshService, MeshPort)]] = [:]
    for service in index.visibleServices(for: view) {
      for port in service.ports where port.proto.isDubbo {
        servicesByPort[port.number, default: []].append((service, port))
      }
    }
    let rules = DubboRuleBuilder(index: index, view: view)
    return servicesByPort.keys.sorted().map { number in
      var multiple = MultipleRouteConfiguration()
      multiple.name = String(number)
      for (service, port) in servicesByPort[number] ?? [] {
        multiple.routeConfig += Self.interfaceConfigs(
          interface: service.host, port: number, rules: rules.rules(service: service, port: port))
      }
      return multiple
    }
  }

  /// Route configurations for one interface. Envoy takes the first configuration whose
  /// interface, group and version fit the call, so pinned ones come first (most specific
  /// first), each with every rule that can apply to its calls, in VirtualService order; the
  /// unpinned one keeps the unpinned rules. Each ends in the default route.
  static func interfaceConfigs(interface: String, port: UInt32, rules: [DubboRule])
    -> [RouteConfiguration]
  {
    var pins: [DubboRule.Pin] = []
    for rule in rules where !rule.pin.isEmpty && !pins.contains(rule.pin) { pins.append(rule.pin) }
    pins = pins.enumerated().sorted {
      ($0.element.specificity, -$0.offset) > ($1.element.specificity, -$1.offset)
    }
    .map(\.element)
    var configs = pins.map { pin in
      var config = RouteConfiguration()
      config.name = "\(interface):\(port)|\(pin.group ?? "")|\(pin.version ?? "")"
      config.interface = interface
      config.group = pin.group ?? ""
      config.version = pin.version ?? ""
      config.routes = rules.filter { pin.covers($0.pin) }.map(route)
      return config
    }
    var unpinned = RouteConfiguration()
    unpinned.name = "\(interface):\(port)"
    unpinned.interface = interface
    unpinned.routes = rules.filter { $0.pin.isEmpty }.map(route)
    configs.append(unpinned)
    return configs
  }

  static func route(_ rule: DubboRule) -> Route {
    var route = Route()
    route.match.method.name =
      rule.method.flatMap(RouteBuilder.stringMatcher) ?? Self.anyMethod
    route.match.headers = rule.attachments.map {
      RouteBuilder.headerMatcher(name: $0.name, $0.value, invert: $0.invert)
    }
    if rule.destinations.count == 1, let only = rule.destinations.first {
      route.route.cluster = only.cluster
    } else {
      route.route.weightedClusters = rule.weightedClusters
    }
    return route
  }

  /// Envoy's Dubbo routes need a method matcher; a rule without one takes every method.
  static let anyMethod: Envoy_Type_Matcher_V3_StringMatcher = {
    var matcher = Envoy_Type_Matcher_V3_StringMatcher()
    matcher.safeRegex = RouteBuilder.regex(".*")
    return matcher
  }()
}
