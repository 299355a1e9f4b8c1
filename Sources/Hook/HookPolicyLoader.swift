import Policy

/// Loads the hook's policy: StrictModes first, then its compiled form or the in-house parser.
public enum HookPolicyLoader {
  /// The policy at `path`, or why it cannot be used.
  public static func load(_ path: String) -> Result<Policy, PolicyErrors> {
    if let problem = PolicyFileGuard.problem(with: path) {
      return .failure(
        PolicyErrors([
          PolicyDiagnostic(.unsafePolicyFile(problem), at: SourceLocation(file: path, line: 0, column: 0))
        ]))
    }
    // `kvmpolicy install-hook` (or `policy compile`) leaves a compiled form beside the file:
    // used only if it passes the same StrictModes check and matches the file's bytes.
    return PolicyLoader.load(path: path, preferringCompiledWhere: { PolicyFileGuard.problem(with: $0) == nil }).map(\.policy)
  }
}
