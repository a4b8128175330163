import Foundation

/// Every admin API error: `{"error": "...", "code": N, "details": [...], "omittedDetails": N}`.
public struct ErrorBody: Sendable, Equatable, Codable {
  /// One item of `details`: a located problem.
  public struct Detail: Sendable, Equatable, Codable {
    public var document: String?
    public var field: String?
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(
      document: String? = nil, field: String? = nil, line: Int? = nil, column: Int? = nil,
      message: String
    ) {
      self.document = document
      self.field = field
      self.line = line
      self.column = column
      self.message = message
    }
  }

  /// The summary, for people.
  public var error: String
  /// The HTTP status.
  public var code: Int
  public var details: [Detail]
  /// Details beyond what the server sends, counted but not sent.
  public var omittedDetails: Int

  public init(error: String, code: Int, details: [Detail] = [], omittedDetails: Int = 0) {
    self.error = error
    self.code = code
    self.details = details
    self.omittedDetails = omittedDetails
  }

  enum CodingKeys: String, CodingKey {
    case error, code, details, omittedDetails
  }

  /// Only `error` is required: a proxy or an older server may send less.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      error: try container.decode(String.self, forKey: .error),
      code: try container.decodeIfPresent(Int.self, forKey: .code) ?? 0,
      details: try container.decodeIfPresent([Detail].self, forKey: .details) ?? [],
      omittedDetails: try container.decodeIfPresent(Int.self, forKey: .omittedDetails) ?? 0)
  }
}
