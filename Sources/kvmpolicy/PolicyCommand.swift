import ArgumentParser
import Policy
import Reporting

/// `kvmpolicy policy`: work with policy files.
struct PolicyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "policy",
    abstract: "Validate policy files and show their effective rules.",
    subcommands: [PolicyCheckCommand.self, PolicyCompileCommand.self]
  )
}

/// `kvmpolicy policy check FILE`: validate a policy and print its effective rules.
struct PolicyCheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Validate a policy file and print its effective rules.",
    discussion: "Exit codes: 0 valid (warnings allowed), 2 invalid: every problem is printed as file:line:col."
  )

  @Argument(help: ArgumentHelp("The policy file to validate.", valueName: "file"))
  var file: String

  func run() throws {
    let policy = try PolicyOptions(path: file).load()
    print(PolicyTextRenderer().render(policy), terminator: "")
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
