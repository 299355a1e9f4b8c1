import ArgumentParser
import Checking
import Inventory
import Policy
import Reporting

#if canImport(Glibc)
  import Glibc
#endif

/// `kvmpolicy check`: judge domains against a policy and report, changing nothing.
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Check domains against a policy and report every violation (a dry run: nothing is changed).",
    discussion: """
      Judges the live XML of running domains and, since what boots next matters too, their persistent definitions; shut-off domains by their definition.

      Several --connect URIs are read concurrently; one unreachable host is reported without losing the others.

      Exit codes: 0 compliant (warnings allowed), 1 violations found, 2 bad policy, bad input or unreachable host (this wins over 1).
      """
  )

  @OptionGroup var sources: SourceOptions
  @OptionGroup var policyOptions: PolicyOptions
  @OptionGroup var output: OutputOptions

  @OptionGroup var domainFilter: DomainFilterOptions

  @Option(help: "Output format: \(CheckReporters.identifiers.joined(separator: ", ")).")
  var format: String = "text"

  @Flag(help: "Show the rule that decided every device, allowed or not.")
  var explain = false

  func validate() throws {
    try ReportFormat.validate(format, among: CheckReporters.identifiers)
  }

  func run() throws {
    // One day for the whole run: waivers expire at the end of their day, UTC.
    let today = PolicyDate.today()
    let policy = try policyOptions.load(today: today)
    let selects = domainFilter.selects
    let options = ReportOptions(
      colors: output.useColors(), explain: explain, toolVersion: KVMPolicy.configuration.version, policyFingerprint: policy.fingerprint,
      timestamp: WallClock.now())
    guard let reporter = CheckReporters.reporter(for: format, options: options) else { throw ExitCode(ExitStatus.badInput) }
    if !sources.xml.isEmpty, let streaming = reporter as? any StreamingCheckReporter {
      try streamFiles(policy: policy, reporter: streaming, selects: selects, today: today)
      return
    }
    let report: CheckReport
    if !sources.xml.isEmpty {
      report = FileCheck.run(paths: sources.files, policy: policy, decisions: explain, today: today, selectsName: selects)
    } else {
      let collected = sources.collect(options: InventoryCollector.Options(definitions: true, resolveHostDevices: true, securityModels: false, selectsName: selects))
      report = CheckRunner.run(collected, policy: policy, decisions: explain, today: today)
    }
    try output.write(reporter.render(report))
    for source in report.sources { printErrors(source) }
    if report.hasInputErrors { throw ExitCode(ExitStatus.badInput) }
    if report.hasViolations { throw ExitCode(ExitStatus.violations) }
  }

  /// Files with a reporter that writes as it goes: each source is read, judged and rendered on a
  /// worker core and written in order; no source is kept once written.
  private func streamFiles(
    policy: Policy, reporter: any StreamingCheckReporter, selects: @escaping @Sendable (String) -> Bool, today: PolicyDate
  ) throws {
    let writer: ReportWriter
    do {
      writer = try ReportWriter(path: output.output)
    } catch {
      StandardError.print("\(output.output ?? "-"): error: cannot write the report: \(error)")
      throw ExitCode(ExitStatus.badInput)
    }
    writer.write(reporter.head(policyFile: policy.file, policyDescription: policy.description))
    var tally = CheckSummary.Tally()
    var count = 0
    var failures: [CheckReport.SourceResult] = []
    FileCheck.forEach(
      paths: sources.files, policy: policy, decisions: explain, today: today, selectsName: selects, prepare: { result, index in reporter.chunk(result, index: index) }
    ) { result, chunk in
      writer.write(chunk)
      tally.add(result)
      count += 1
      if result.source.error != nil || result.domains.contains(where: { $0.error != nil }) { failures.append(result) }
    }
    writer.write(reporter.tail(tally.summary, sourceCount: count))
    do {
      try writer.finish()
    } catch {
      StandardError.print("\(output.output ?? "-"): error: cannot write the report: \(error)")
      throw ExitCode(ExitStatus.badInput)
    }
    for source in failures { printErrors(source) }
    if tally.summary.inputErrors > 0 { throw ExitCode(ExitStatus.badInput) }
    if tally.summary.violating > 0 { throw ExitCode(ExitStatus.violations) }
  }

  private func printErrors(_ source: CheckReport.SourceResult) {
    if let error = source.source.error { StandardError.print("\(error)") }
    for domain in source.domains { if let error = domain.error { StandardError.print("\(source.source.name): \(domain.name): error: \(error)") } }
  }
}
