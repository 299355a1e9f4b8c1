import ArgumentParser
import Enforcement
import Policy

/// `--domain GLOB ...`: which domains a command looks at, checked when the command line is read.
struct DomainFilterOptions: ParsableArguments {
  @Option(
    name: .customLong("domain"),
    help: ArgumentHelp("Only domains whose name matches this glob (repeatable), e.g. 'web-*'.", valueName: "glob"))
  var domains: [String] = []

  func validate() throws {
    for pattern in domains {
      do { _ = try Glob(pattern) } catch { throw ValidationError("Invalid --domain pattern '\(pattern)': \(error.reason).") }
    }
  }

  /// Whether a domain name is selected (every name when no --domain was given).
  var selects: @Sendable (String) -> Bool {
    let globs = domains.compactMap { try? Glob($0) }
    return { name in globs.isEmpty || globs.contains { $0.matches(name) } }
  }
}
