import ArgumentParser
import Checking
import Inventory
import Policy
import Reporting

#if canImport(Glibc)
  import Glibc
#endif

/// `--policy FILE`, loaded through the in-house parser and schema.
struct PolicyOptions: ParsableArguments {
  /// Where `kvmpolicy install-hook` puts the policy; the default for every command.
  static let installedPath = "/etc/kvmpolicy/policy.yaml"

  @Option(help: ArgumentHelp("The policy file.", valueName: "file"))
  var policy: String = PolicyOptions.installedPath

  init() {}

  /// Options naming this file, for commands that take the policy as an argument.
  init(path: String) {
    self.policy = path
  }

  /// The checked policy; on errors prints every diagnostic with its line and exits 2. Its
  /// warnings are printed, and so is every waiver that expired before `today`.
  func load(today: PolicyDate = PolicyDate.today()) throws -> Policy {
    switch PolicyLoader.load(path: policy) {
    case .success(let loaded):
      let warnings = PolicyErrors(loaded.warnings + WaiverAudit.expired(loaded.policy, today: today)).diagnostics
      if !warnings.isEmpty { printDiagnostics(warnings) }
      return loaded.policy
    case .failure(let errors):
      printDiagnostics(errors.diagnostics)
      throw ExitCode(ExitStatus.badInput)
    }
  }

  /// Prints diagnostics of this policy file with its lines, coloured on a terminal.
  func printDiagnostics(_ diagnostics: [PolicyDiagnostic]) {
    let text = PolicyLoader.sourceText(ofFile: policy) ?? ""
    let colors = isatty(2) == 1 && getenv("NO_COLOR") == nil
    StandardError.print(DiagnosticFormatter(colors: colors).format(diagnostics, source: text), newline: false)
  }
}
