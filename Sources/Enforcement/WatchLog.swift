import TextEscaping
/// One structured log line of `kvmpolicy watch`: `key=value` pairs, or JSON.
public struct WatchLogRecord: Sendable {
  /// Ordered fields; `event` comes first.
  public let fields: [(String, String)]

  /// Creates a record.
  public init(_ fields: [(String, String)]) {
    self.fields = fields
  }

  /// `event=device-added domain=web-01 ...`, quoting values with spaces.
  public var text: String {
    fields.map { key, value in
      let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" }
      return "\(key)=" + (needsQuotes ? "\"" + value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\"" : value)
    }.joined(separator: " ")
  }

  /// One JSON object per line (journald- and jq-friendly).
  public var json: String {
    "{" + fields.map { "\(Self.quote($0.0)):\(Self.quote($0.1))" }.joined(separator: ",") + "}"
  }

  private static func quote(_ text: String) -> String { JSONString.quoted(text) }
}
