public import Enforcement

/// Renders what `kvmpolicy enforce` plans (`--dry-run`) and what it did. Pure: the same plans
/// and outcomes always give the same bytes.
public protocol EnforcementReporter: Sendable {
  /// The format's name on the command line.
  static var identifier: String { get }
  /// The plan of a dry run: what would change, and nothing changed.
  func render(plans: [DomainPlan]) -> String
  /// What was done, domain by domain.
  func render(outcomes: [Enforcer.Outcome]) -> String
}

/// The reporters `enforce` offers, by identifier.
public enum EnforcementReporters {
  /// Every format name, in the order `--help` lists them.
  public static let identifiers = [EnforcementTextReporter.identifier, EnforcementJSONReporter.identifier]

  /// The reporter for a format name.
  public static func reporter(for identifier: String, options: ReportOptions) -> (any EnforcementReporter)? {
    switch identifier {
    case EnforcementTextReporter.identifier: EnforcementTextReporter()
    case EnforcementJSONReporter.identifier: EnforcementJSONReporter(options: options)
    default: nil
    }
  }
}
