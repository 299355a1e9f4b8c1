public import Checking

/// Renders a check report in one output format (a ``Reporter`` of ``CheckReport``).
public protocol CheckReporter: Reporter where Input == CheckReport {}

/// A reporter that writes a report piece by piece while sources are still being judged, so a
/// check over thousands of files holds none of them: a head, one chunk per source in order, and
/// a tail with the summary. Its ``render(_:)`` is exactly those pieces joined.
public protocol StreamingCheckReporter: CheckReporter {
  /// What comes before the first source.
  func head(policyFile: String, policyDescription: String?) -> String
  /// One source's part; `index` is its position among the sources (0 first).
  func chunk(_ source: CheckReport.SourceResult, index: Int) -> String
  /// What comes after the last of `sourceCount` sources.
  func tail(_ summary: CheckSummary, sourceCount: Int) -> String
}

extension StreamingCheckReporter {
  /// The whole report: head, every source's chunk, tail.
  public func render(_ report: CheckReport) -> String {
    var text = head(policyFile: report.policyFile, policyDescription: report.policyDescription)
    for (index, source) in report.sources.enumerated() { text += chunk(source, index: index) }
    return text + tail(CheckSummary(report), sourceCount: report.sources.count)
  }
}

/// What every check reporter may be told besides the report.
public struct ReportOptions: Sendable {
  /// Use ANSI colours (text only).
  public var colors: Bool
  /// Show every device's decision, not only violations (text and HTML).
  public var explain: Bool
  /// The kvmpolicy version, written into machine-readable formats.
  public var toolVersion: String
  /// The ``Policy/fingerprint`` of the policy judged with (`check`) or installed (`host`), if
  /// known; Prometheus output labels its build info with it.
  public var policyFingerprint: String?
  /// When the report was made, in seconds since the Unix epoch: the caller reads the clock (a
  /// test passes a fixed time), so reporters stay pure. Prometheus output records it.
  public var timestamp: Double

  /// Creates options.
  public init(colors: Bool = false, explain: Bool = false, toolVersion: String = "0", policyFingerprint: String? = nil, timestamp: Double = 0) {
    self.colors = colors
    self.explain = explain
    self.toolVersion = toolVersion
    self.policyFingerprint = policyFingerprint
    self.timestamp = timestamp
  }
}

/// The reporters `check` offers, by identifier.
public enum CheckReporters {
  /// Every format name, in the order `--help` lists them.
  public static let identifiers = [
    CheckTextReporter.identifier, CheckJSONReporter.identifier, CheckJUnitReporter.identifier, CheckHTMLReporter.identifier,
    CheckSARIFReporter.identifier, CheckPrometheusReporter.identifier,
  ]

  /// The reporter for a format name.
  public static func reporter(for identifier: String, options: ReportOptions) -> (any CheckReporter)? {
    switch identifier {
    case CheckTextReporter.identifier: CheckTextReporter(options: options)
    case CheckJSONReporter.identifier: CheckJSONReporter(options: options)
    case CheckJUnitReporter.identifier: CheckJUnitReporter(options: options)
    case CheckHTMLReporter.identifier: CheckHTMLReporter(options: options)
    case CheckSARIFReporter.identifier: CheckSARIFReporter(options: options)
    case CheckPrometheusReporter.identifier: CheckPrometheusReporter(options: options)
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
  /// Findings a waiver in force covers (neither errors nor warnings).
  public let waived: Int
  /// Sources or domains that could not be read.
  public let inputErrors: Int

  /// Counts a report.
  public init(_ report: CheckReport) {
    var summary = CheckSummary.Tally()
    for source in report.sources { summary.add(source) }
    self = summary.summary
  }

  private init(domains: Int, violating: Int, errors: Int, warnings: Int, waived: Int, inputErrors: Int) {
    self.domains = domains
    self.violating = violating
    self.compliant = domains - violating
    self.errors = errors
    self.warnings = warnings
    self.waived = waived
    self.inputErrors = inputErrors
  }

  /// Counts sources one at a time, for reports written while they are judged.
  public struct Tally: Sendable {
    private var domains = 0, violating = 0, errors = 0, warnings = 0, waived = 0, inputErrors = 0

    /// An empty tally.
    public init() {}

    /// Counts one source's results.
    public mutating func add(_ source: CheckReport.SourceResult) {
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
            case .waived: waived += 1
            }
          }
        }
        if violates { violating += 1 }
      }
    }

    /// The counts so far.
    public var summary: CheckSummary {
      CheckSummary(domains: domains, violating: violating, errors: errors, warnings: warnings, waived: waived, inputErrors: inputErrors)
    }
  }
}
