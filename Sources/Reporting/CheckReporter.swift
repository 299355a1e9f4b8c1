public import Checking

/// Renders a check report in one output format. Reporters are pure: the same report and
/// options always give the same bytes.
public protocol CheckReporter: Sendable {
  /// The format's name on the command line.
  static var identifier: String { get }
  /// Renders the whole report.
  func render(_ report: CheckReport) -> String
}

/// What every check reporter may be told besides the report.
public struct ReportOptions: Sendable {
  /// Use ANSI colours (text only).
  public var colors: Bool
  /// Show every device's decision, not only violations (text and HTML).
  public var explain: Bool
  /// The kvmpolicy version, written into machine-readable formats.
  public var toolVersion: String

  /// Creates options.
  public init(colors: Bool = false, explain: Bool = false, toolVersion: String = "0") {
    self.colors = colors
    self.explain = explain
    self.toolVersion = toolVersion
  }
}

/// The reporters `check` offers, by identifier.
public enum CheckReporters {
  /// Every format name, in the order `--help` lists them.
  public static let identifiers = [
    CheckTextReporter.identifier, CheckJSONReporter.identifier, CheckJUnitReporter.identifier, CheckHTMLReporter.identifier,
  ]

  /// The reporter for a format name.
  public static func reporter(for identifier: String, options: ReportOptions) -> (any CheckReporter)? {
    switch identifier {
    case CheckTextReporter.identifier: CheckTextReporter(options: options)
    case CheckJSONReporter.identifier: CheckJSONReporter(options: options)
    case CheckJUnitReporter.identifier: CheckJUnitReporter(options: options)
    case CheckHTMLReporter.identifier: CheckHTMLReporter(options: options)
    default: nil
    }
  }
}

/// Counts shown in every format's summary.
public struct CheckSummary: Equatable, Sendable {
  /// Domains judged.
  public let domains: Int
  /// Domains without error findings (warnings allowed).
  public let compliant: Int
  /// Domains with at least one error finding.
  public let violating: Int
  /// Error findings.
  public let errors: Int
  /// Warning findings.
  public let warnings: Int
  /// Sources or domains that could not be read.
  public let inputErrors: Int

  /// Counts a report.
  public init(_ report: CheckReport) {
    let domains = report.domains.filter { $0.error == nil }
    self.domains = domains.count
    violating = domains.filter(\.hasViolations).count
    compliant = self.domains - violating
    errors = report.findings.filter { $0.severity == .error }.count
    warnings = report.findings.filter { $0.severity == .warning }.count
    inputErrors =
      report.sources.filter { $0.source.error != nil }.count + report.domains.filter { $0.error != nil }.count
  }
}
