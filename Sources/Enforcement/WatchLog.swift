/// One structured log record of `kvmpolicy watch`: ordered `key`/`value` fields, `event` first.
/// Reporting's watch-log reporters write it as `key=value` text or as one JSON object a line.
public struct WatchLogRecord: Sendable {
  /// Ordered fields; `event` comes first.
  public let fields: [(String, String)]

  /// Creates a record.
  public init(_ fields: [(String, String)]) {
    self.fields = fields
  }
}
