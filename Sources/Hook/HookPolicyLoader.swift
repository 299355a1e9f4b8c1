import Policy

/// Loads the hook's policy: StrictModes first, then the in-house parser.
public enum HookPolicyLoader {
  /// The policy at `path`, or why it cannot be used.
  public static func load(_ path: String) -> Result<Policy, PolicyErrors> {
    if let problem = PolicyFileGuard.problem(with: path) {
      return .failure(
        PolicyErrors([
          PolicyDiagnostic(.unsafePolicyFile(problem), at: SourceLocation(file: path, line: 0, column: 0))
        ]))
    }
    return PolicyLoader.load(path: path).map(\.policy)
  }
}
