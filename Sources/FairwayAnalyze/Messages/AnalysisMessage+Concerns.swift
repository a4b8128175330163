import FairwayMesh

extension AnalysisMessage {
  /// Whether this message is about one of `keys`: the message is on the object itself, or its
  /// text names the object as `namespace/name` (a whole token, as the analyzers write the other
  /// side of a conflict or the DestinationRule that applies to a host). A message naming only
  /// a host is not matched to the ServiceEntry declaring it: hosts are not objects.
  public func concerns(_ keys: Set<ConfigKey>) -> Bool {
    if let origin, keys.contains(origin) { return true }
    return keys.contains { Self.names(text, "\($0.namespace)/\($0.name)") }
  }

  /// `token` occurs in `text` not as part of a longer name (`default/reviews` is not in
  /// `default/reviews-v2`).
  static func names(_ text: String, _ token: String) -> Bool {
    var rest = text[...]
    while let range = rest.range(of: token) {
      let before =
        range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
      let tail = text[range.upperBound...]
      // A full stop ends a sentence, not the name, when nothing of a name follows it.
      let after = tail.first == "." && !isNameCharacter(tail.dropFirst().first) ? nil : tail.first
      if !isNameCharacter(before) && !isNameCharacter(after) { return true }
      rest = text[range.upperBound...]
    }
    return false
  }

  private static func isNameCharacter(_ character: Character?) -> Bool {
    guard let character else { return false }
    return character.isLetter || character.isNumber || character == "-" || character == "."
      || character == "_" || character == "/"
  }
}

extension Analyzers {
  /// Every analyzer over `snapshot`, keeping the messages that concern `keys` (see
  /// `AnalysisMessage.concerns(_:)`): what `POST /apply?analyze=true` returns for the objects
  /// it applied. O(store): the analyzers look across the whole mesh.
  public static func run(on snapshot: MeshSnapshot, concerning keys: Set<ConfigKey>)
    -> [AnalysisMessage]
  {
    run(MeshModel(snapshot: snapshot)).filter { $0.concerns(keys) }
  }
}
