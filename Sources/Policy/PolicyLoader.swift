#if canImport(Glibc)
  import Glibc
#endif

/// Reads a policy file or text through all three layers: lexer, parser, schema.
public enum PolicyLoader {
  /// The most errors a policy is reported (and checked) with.
  public static let errorLimit = 100

  /// The checked policy and any warnings, or every error found (the first ``errorLimit`` of them).
  public static func load(text: String, file: String) -> Result<(policy: Policy, warnings: [PolicyDiagnostic]), PolicyErrors> {
    let parsed = PolicyParser.parse(text, file: file)
    var diagnostics = parsed.diagnostics
    var policy: Policy?
    // After a syntax error the tree is a guess; schema errors about it would only confuse.
    let syntaxFailed = diagnostics.contains { $0.severity == .error }
    if let root = parsed.root, !syntaxFailed {
      var schema = PolicySchema(file: file)
      policy = schema.policy(from: root)
      diagnostics += schema.diagnostics
    }
    let errors = diagnostics.filter { $0.severity == .error }
    if errors.count >= errorLimit {
      // Only the first errors are worth reading (and formatting): say where it stopped.
      var kept = Array(PolicyErrors(errors).diagnostics.prefix(errorLimit))
      if let last = kept.last { kept.append(PolicyDiagnostic(.tooManyErrors(errorLimit), at: last.location)) }
      return .failure(PolicyErrors(kept))
    }
    guard errors.isEmpty, var policy else { return .failure(PolicyErrors(diagnostics)) }
    policy.sourceHash = CompiledPolicy.hash(text)
    return .success((policy, PolicyErrors(diagnostics).diagnostics))
  }

  /// Reads and checks the policy file at `path`.
  public static func load(path: String) -> Result<(policy: Policy, warnings: [PolicyDiagnostic]), PolicyErrors> {
    switch readFile(path) {
    case .success(let text): return load(text: text, file: path)
    case .failure(let failure):
      return .failure(PolicyErrors([PolicyDiagnostic(.unreadable(failure.reason), at: SourceLocation(file: path, line: 0, column: 0))]))
    }
  }

  /// The file's text, read with POSIX calls (the hook links no Foundation).
  /// The text of the policy file at `path` (for showing diagnostics), or `nil` when unreadable.
  public static func sourceText(ofFile path: String) -> String? {
    try? readFile(path).get()
  }

  /// The ``Policy/fingerprint`` of the text in the file at `path`, or `nil` when unreadable.
  public static func fingerprint(ofFile path: String) -> String? {
    try? readFile(path).map { Policy.fingerprint(CompiledPolicy.hash($0)) }.get()
  }

  static func readFile(_ path: String) -> Result<String, UnreadableFile> {
    readBytes(path).map { String(decoding: $0, as: UTF8.self) }
  }

  /// Why a file could not be read.
  struct UnreadableFile: Error {
    let reason: String
  }
}
