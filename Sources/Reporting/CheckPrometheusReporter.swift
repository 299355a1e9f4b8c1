public import Checking
import Engine

/// The check report as Prometheus metrics, for node_exporter's textfile collector
/// (`--format prometheus --output /var/lib/prometheus/node-exporter/kvmpolicy-check.prom`):
///
/// - `kvmpolicy_build_info{report="check",version,policy_hash}`: always 1;
/// - `kvmpolicy_last_run_timestamp_seconds{report="check"}`: when the report was made;
/// - `kvmpolicy_domain_compliant{source,domain}`: 1 compliant (warnings allowed), 0 violating;
///   a domain that could not be judged has no sample (it counts as an input error);
/// - `kvmpolicy_findings{source,domain,check,severity,action}`: how many findings of that kind,
///   for each kind found (no zero samples); `severity` is `error`, `warning`, or `waived` for a
///   finding a waiver in force covers (it leaves the domain compliant);
/// - `kvmpolicy_input_errors{source}`: the source itself (0 or 1) plus its unreadable domains,
///   for every source, 0 included.
///
/// `source` is the URI or path as given on the command line, so a source keeps one series whether
/// it was reached or not. No label holds a message or a finding ID: one series per domain and kind
/// of finding, however the wording changes.
public struct CheckPrometheusReporter: CheckReporter {
  /// `prometheus`.
  public static let identifier = "prometheus"
  private let options: ReportOptions

  /// Creates the reporter; it writes `options.timestamp`, `toolVersion` and `policyFingerprint`.
  public init(options: ReportOptions) {
    self.options = options
  }

  /// The whole report as one textfile.
  public func render(_ report: CheckReport) -> String {
    typealias Sample = PrometheusWriter.Sample
    var compliant: [Sample] = []
    var findings: [Sample] = []
    var inputErrors: [Sample] = []
    for result in report.sources {
      let source = result.source.name
      var errors = result.source.error == nil ? 0 : 1
      for domain in result.domains {
        guard domain.error == nil else {
          errors += 1
          continue
        }
        compliant.append(Sample([source, domain.name], domain.hasViolations ? 0 : 1))
        // One sample per finding; the writer sums those with the same labels into a count.
        for finding in domain.findings {
          findings.append(Sample([source, domain.name, finding.check.rawValue, finding.severity.rawValue, finding.action.rawValue], 1))
        }
      }
      inputErrors.append(Sample([source], Double(errors)))
    }
    var writer = PrometheusWriter()
    writer.buildInfo(report: "check", options: options)
    writer.lastRun(report: "check", options: options)
    writer.family(
      "kvmpolicy_domain_compliant",
      help: "1 if the domain has no error finding against the policy (warnings allowed), 0 if it violates it.",
      labels: ["source", "domain"], samples: compliant, merge: { min($0, $1) })
    writer.family(
      "kvmpolicy_findings",
      help: "Findings of one check, severity (error, warning, waived) and action in the domain (kinds not found have no sample).",
      labels: ["source", "domain", "check", "severity", "action"], samples: findings)
    writer.family(
      "kvmpolicy_input_errors",
      help: "Unreadable input in the source: the source itself (0 or 1) plus each domain that could not be judged.",
      labels: ["source"], samples: inputErrors)
    return writer.text
  }
}
