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
    var (domains, violating, errors, warnings, inputErrors) = (0, 0, 0, 0, 0)
    for source in report.sources {
      if source.source.error != nil { inputErrors += 1 }
      for domain in source.domains {
        guard domain.error == nil else {
          inputErrors += 1
          continue
        }
        domains += 1
        var violates = false
        for (_, evaluation) in domain.evaluations {
          for finding in evaluation.findings {
            switch finding.severity {
            case .error:
              errors += 1
              violates = true
            case .warning: warnings += 1
            }
          }
        }
        if violates { violating += 1 }
      }
    }
    self.domains = domains
    self.violating = violating
    self.compliant = domains - violating
    self.errors = errors
    self.warnings = warnings
    self.inputErrors = inputErrors
  }
}
