import ArgumentParser
import Checking
import Policy
import PolicyTesting
import Reporting

/// `kvmpolicy policy`: work with policy files.
struct PolicyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "policy",
    abstract: "Validate policy files, show their effective rules, and run their tests.",
    subcommands: [PolicyCheckCommand.self, PolicyCompileCommand.self, PolicyTestCommand.self]
  )
}

/// `kvmpolicy policy check FILE`: validate a policy, print its effective rules, and warn about
/// its waivers: expired, expiring soon, or (given domains) waiving nothing.
struct PolicyCheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Validate a policy file and print its effective rules.",
    discussion: """
      Warns about waivers that have expired, that expire within --expiring-within days, and, given domains (--connect or --xml), that waive no finding of them. A waiver applies through the end of its 'expires' day, UTC.

      Exit codes: 0 valid (warnings allowed), 2 invalid (every problem is printed as file:line:col) or domains that cannot be read.
      """
  )

  @Argument(help: ArgumentHelp("The policy file to validate.", valueName: "file"))
  var file: String

  @Option(
    help: ArgumentHelp("Warn about waivers that expire within this many days (0: today only).", valueName: "days"))
  var expiringWithin: Int = 14

  @OptionGroup(title: "Domains to match the waivers against (optional)")
  var sources: SourceOptions

  func validate() throws {
    guard expiringWithin >= 0 else { throw ValidationError("--expiring-within must be 0 or more days.") }
  }

  func run() throws {
    let today = PolicyDate.today()
    let options = PolicyOptions(path: file)
    let policy = try options.load(today: today)
    print(PolicyTextRenderer().render(policy), terminator: "")
    var warnings = WaiverAudit.expiring(policy, today: today, within: expiringWithin)
    var unreadable = false
    if !sources.connect.isEmpty || !sources.xml.isEmpty {
      let report = CheckRunner.run(sources.collect(options: .init(definitions: true, resolveHostDevices: true, securityModels: false)), policy: policy, decisions: false, today: today)
      for source in report.sources {
        if let error = source.source.error { StandardError.print("\(error)") }
        for domain in source.domains { if let error = domain.error { StandardError.print("\(source.source.name): \(domain.name): error: \(error)") } }
      }
      unreadable = report.hasInputErrors
      let used = Set(report.findings.compactMap { $0.waiver?.waiver.reference.path })
      warnings += WaiverAudit.unused(policy, used: used, domains: report.domains.filter { $0.error == nil }.count)
    }
    if !warnings.isEmpty { options.printDiagnostics(PolicyErrors(warnings).diagnostics) }
    if unreadable { throw ExitCode(ExitStatus.badInput) }
  }
}

/// `kvmpolicy policy compile [FILE]`: refresh the compiled form the hook reads.
struct PolicyCompileCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compile",
    abstract: "Check a policy file and write the compiled form the pre-start hook reads beside it.",
    discussion: """
      The hook loads .<name>.compiled instead of parsing the YAML on every VM start, but only while it matches the YAML byte for byte: after editing the policy, run this (install-hook does it too) or the hook falls back to parsing.

      Exit codes: 0 written, 2 invalid policy (every problem printed as file:line:col) or not writable.
      """
  )

  @Argument(help: ArgumentHelp("The policy file.", valueName: "file"))
  var file: String = PolicyOptions.installedPath

  func run() throws {
    switch PolicyLoader.compile(path: file) {
    case .success:
      print("compiled \(file) -> \(CompiledPolicy.path(for: file))")
    case .failure(.invalid):
      _ = try PolicyOptions(path: file).load()  // prints every diagnostic and exits 2
      throw ExitCode(ExitStatus.badInput)
    case .failure(.unwritable(let path, let reason)):
      StandardError.print("\(path): error: cannot write the compiled policy: \(reason)")
      throw ExitCode(ExitStatus.badInput)
    }
  }
}

/// `kvmpolicy policy test PATH...`: run policy test files (a directory: its *.yaml files).
struct PolicyTestCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "test",
    abstract: "Run policy test files: each names a policy, domain XML files and what the policy must say of each.",
    discussion: """
      A test file (same YAML subset as policies; paths relative to it):
        policy: ../baseline.yaml
        cases:
          - name: a sound card is refused
            domain: domains/sound.xml
            expect:
              - {check: class-denied, class: sound, action: refuse}
      'expect: compliant' means no finding at all; otherwise exactly the findings listed (check, class, action or id), in any order.

      Exit codes: 0 every case passed, 1 a case failed, 2 bad input (file:line:col).
      """
  )

  @Argument(help: ArgumentHelp("Test files, or directories of them (their *.yaml files).", valueName: "path"))
  var paths: [String]

  @Option(help: "Output format: \(PolicyTestReporters.identifiers.joined(separator: ", ")).")
  var format: String = "text"

  @OptionGroup var output: OutputOptions

  func validate() throws {
    try ReportFormat.validate(format, among: PolicyTestReporters.identifiers)
  }

  func run() throws {
    var results: [PolicyTestRunner.FileResult] = []
    let today = PolicyDate.today()
    for path in PolicyTestRunner.expandingDirectories(paths) {
      switch PolicyTestRunner.run(path: path, today: today) {
      case .success(let result): results.append(result)
      case .failure(.invalid(let errors, let source)):
        StandardError.print(DiagnosticFormatter(colors: output.useColors()).format(errors.diagnostics, source: source ?? ""), newline: false)
        throw ExitCode(ExitStatus.badInput)
      case .failure(let error):
        StandardError.print(error.description)
        throw ExitCode(ExitStatus.badInput)
      }
    }
    guard let reporter = PolicyTestReporters.reporter(for: format) else { throw ExitCode(ExitStatus.badInput) }
    try output.write(reporter.render(results))
    if results.contains(where: { $0.cases.contains { !$0.passed } }) { throw ExitCode(ExitStatus.violations) }
  }
}
