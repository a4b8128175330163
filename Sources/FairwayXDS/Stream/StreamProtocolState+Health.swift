import FairwayProto

extension SotWStreamState {
  static func typeAndError(_ request: Request) -> (typeURL: String, error: String?) {
    (request.typeURL, request.hasErrorDetail ? request.errorDetail.message : nil)
  }
}

extension DeltaStreamState {
  static func typeAndError(_ request: Request) -> (typeURL: String, error: String?) {
    (request.typeURL, request.hasErrorDetail ? request.errorDetail.message : nil)
  }
}
