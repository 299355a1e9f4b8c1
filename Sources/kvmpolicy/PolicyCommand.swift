import ArgumentParser
import Policy
import Reporting

/// `kvmpolicy policy`: work with policy files.
struct PolicyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "policy",
    abstract: "Validate policy files and show their effective rules.",
    subcommands: [PolicyCheckCommand.self]
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
