public import HostAudit

/// Host checks as Prometheus metrics, for node_exporter's textfile collector
/// (`--format prometheus --output /var/lib/prometheus/node-exporter/kvmpolicy-host.prom`):
///
/// - `kvmpolicy_build_info{report="host",version,policy_hash}`: always 1; `policy_hash` is the
///   fingerprint of the installed policy, empty when there is none;
/// - `kvmpolicy_last_run_timestamp_seconds{report="host"}`: when the audit ran;
/// - `kvmpolicy_host_check_status{id,section}`: 0 PASS, 1 FAIL, 2 WARN, 3 UNKNOWN.
///
/// UNKNOWN means the check could not be decided, which an attacker can cause as easily as a
/// failure: alert on it as on a failure. `hook-veto` without `--probe-hook` has no sample: that
/// check was not asked for, which is not the same as undecided.
public struct HostPrometheusReporter: HostReporter {
  /// `prometheus`.
  public static let identifier = "prometheus"
  private let options: ReportOptions

  /// Creates the reporter; it writes `options.timestamp`, `toolVersion` and `policyFingerprint`.
  public init(options: ReportOptions) {
    self.options = options
  }

  /// The value of `kvmpolicy_host_check_status` for a verdict.
  public static func value(_ status: HostCheck.Status) -> Int {
    switch status {
    case .pass: 0
    case .fail: 1
    case .warn: 2
    case .unknown: 3
    }
  }

  /// The checks as one textfile.
  public func render(_ checks: [HostCheck]) -> String {
    let samples = checks.filter { $0 != HookAudit.notProbed }.map { check in
      PrometheusWriter.Sample([check.id, check.section], Double(Self.value(check.status)))
    }
    var writer = PrometheusWriter()
    writer.buildInfo(report: "host", options: options)
    writer.lastRun(report: "host", options: options)
    writer.family(
      "kvmpolicy_host_check_status",
      help: "Verdict of the kvmpolicy host check: 0 PASS, 1 FAIL, 2 WARN, 3 UNKNOWN (undecided: alert on it as on FAIL).",
      labels: ["id", "section"], samples: samples, merge: Self.worse)
    return writer.text
  }

  /// Of two verdicts for one check, the one an alert must see: FAIL, then UNKNOWN, WARN, PASS.
  private static func worse(_ lhs: Double, _ rhs: Double) -> Double {
    let order: [Double] = [0, 2, 3, 1]
    return (order.firstIndex(of: lhs) ?? 0) >= (order.firstIndex(of: rhs) ?? 0) ? lhs : rhs
  }
}
