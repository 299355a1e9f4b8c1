public import Enforcement
import TextEscaping

/// Renders one `kvmpolicy watch` log record as one line (without the newline).
public protocol WatchLogReporter: Reporter where Input == WatchLogRecord {}

/// The watch log formats.
public enum WatchLogReporters {
  /// Every format name, in the order `--help` lists them.
  public static let identifiers = [WatchLogTextReporter.identifier, WatchLogJSONReporter.identifier]

  /// The reporter for a format name.
  public static func reporter(for identifier: String) -> (any WatchLogReporter)? {
    switch identifier {
    case WatchLogTextReporter.identifier: WatchLogTextReporter()
    case WatchLogJSONReporter.identifier: WatchLogJSONReporter()
    default: nil
    }
  }
}

/// `event=device-added domain=web-01 ...`, quoting values with spaces, quotes or `=`.
public struct WatchLogTextReporter: WatchLogReporter {
  /// `text`.
  public static let identifier = "text"

  /// Creates the reporter.
  public init() {}

  /// The record as `key=value` pairs.
  public func render(_ record: WatchLogRecord) -> String {
    record.fields.map { key, value in
      let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" }
      return "\(key)=" + (needsQuotes ? "\"" + value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\"" : value)
    }.joined(separator: " ")
  }
}

/// One JSON object per line (journald- and jq-friendly).
public struct WatchLogJSONReporter: WatchLogReporter {
  /// `json`.
  public static let identifier = "json"

  /// Creates the reporter.
  public init() {}

  /// The record as one JSON object on one line.
  public func render(_ record: WatchLogRecord) -> String {
    "{" + record.fields.map { "\(JSONString.quoted($0.0)):\(JSONString.quoted($0.1))" }.joined(separator: ",") + "}"
  }
}
