import FairwayMesh
import Foundation

/// The configs to analyze, gathered from the live store and files. Each document is decoded and
/// validated exactly as `apply` does (`ConfigParser`); a document that fails becomes IST0106
/// messages instead of an object, and fields the model does not know become IST0133. A later
/// source replaces an earlier object with the same kind, namespace and name, so files analyze
/// as if applied on top of the live store.
public struct AnalysisInput: Sendable {
  public private(set) var objects: [ConfigKey: ConfigObject] = [:]
  /// Schema messages found while reading; the analyzers' messages are added by `analyze()`.
  public private(set) var messages: [AnalysisMessage] = []
  /// Where each object came from (a file name; nil for the live store).
  private var sources: [ConfigKey: String] = [:]
  private let parser = ConfigParser()

  public init() {}

  /// Adds the documents of one file (or body).
  ///
  /// - Throws: `ConfigParseError` when the bytes are not YAML or JSON documents at all.
  public mutating func add(_ data: Data, format: ContentFormat = .auto, source: String?) throws {
    add(documents: try parser.parseDocuments(data, format: format), source: source)
  }

  /// Adds already split documents, each validated on its own so one bad document does not hide
  /// the others.
  public mutating func add(documents: [JSONValue], source: String?) {
    for (index, document) in documents.enumerated() {
      do {
        let parsed = try parser.objects(from: [document])
        for object in parsed.objects {
          objects[object.key] = object
          sources[object.key] = source
        }
        messages.removeAll { message in
          parsed.objects.contains { $0.key == message.origin }
            && message.type == .schemaWarning
        }
        for warning in parsed.warnings {
          messages.append(message(.schemaWarning, warning, index: index, source: source))
        }
      } catch let error as ConfigValidationError {
        for issue in error.issues {
          messages.append(message(.schemaValidationError, issue, index: index, source: source))
        }
      } catch {
        messages.append(
          AnalysisMessage(
            .schemaValidationError, resource: "document \(index + 1)", field: "",
            "Schema validation error: \(error)", source: source))
      }
    }
  }

  /// A parser issue as an analysis message. The parser saw one document at a time, so a
  /// document without identity is renamed to its position in the file.
  private func message(
    _ type: MessageType, _ issue: ValidationIssue, index: Int, source: String?
  ) -> AnalysisMessage {
    let prefix = type == .schemaWarning ? "Schema validation warning" : "Schema validation error"
    let text = "\(prefix): \(issue.message)"
    if let key = Self.key(issue.document) {
      return AnalysisMessage(type, key, field: issue.fieldPath, text, source: source)
    }
    let resource = issue.document == "document 1" ? "document \(index + 1)" : issue.document
    return AnalysisMessage(type, resource: resource, field: issue.fieldPath, text, source: source)
  }

  /// `VirtualService default/reviews` back into a key, when it is one.
  static func key(_ document: String) -> ConfigKey? {
    let parts = document.split(separator: " ", maxSplits: 1)
    guard parts.count == 2, let kind = ConfigKind(rawValue: String(parts[0])) else { return nil }
    let names = parts[1].split(separator: "/", maxSplits: 1)
    guard names.count == 2 else { return nil }
    return ConfigKey(kind: kind, namespace: String(names[0]), name: String(names[1]))
  }

  /// Everything read, as a snapshot.
  public var snapshot: MeshSnapshot { MeshSnapshot(revision: 0, objects: objects.values) }

  /// Schema messages plus every analyzer's, sorted; messages about objects read from a file
  /// name the file.
  public func analyze(analyzers: [any Analyzer] = Analyzers.all) -> [AnalysisMessage] {
    let found = Analyzers.run(MeshModel(snapshot: snapshot), analyzers: analyzers).map {
      message -> AnalysisMessage in
      var located = message
      if let origin = message.origin { located.source = sources[origin] }
      return located
    }
    return Analyzers.sorted(messages + found)
  }
}
