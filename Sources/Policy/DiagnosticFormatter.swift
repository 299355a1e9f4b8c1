/// Renders policy diagnostics the way compilers do: `file:line:col: error: message`, then the
/// offending line and a `^~~~` under the problem.
///
/// Rendering is kept apart from detection; colour is decided once by the caller and passed in.
public struct DiagnosticFormatter: Sendable {
  /// Whether to colour `error:`/`warning:` and the caret with ANSI escapes.
  public let colors: Bool

  /// Creates a formatter.
  public init(colors: Bool = false) {
    self.colors = colors
  }

  /// Every diagnostic with its source line; `source` is the policy text they refer to.
  public func format(_ diagnostics: [PolicyDiagnostic], source: String) -> String {
    // "\r\n" is one Character in Swift: split on both spellings of a line end.
    let lines = source.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
    return diagnostics.map { format($0, lines: lines) }.joined()
  }

  private func format(_ diagnostic: PolicyDiagnostic, lines: [String]) -> String {
    let severity = diagnostic.severity.rawValue + ":"
    let coloredSeverity = colors ? (diagnostic.severity == .error ? "\u{1B}[1;31m" : "\u{1B}[1;35m") + severity + "\u{1B}[0m" : severity
    var output = "\(diagnostic.location): \(coloredSeverity) \(diagnostic.message)\n"
    let index = diagnostic.location.line - 1
    guard lines.indices.contains(index) else { return output }
    let line = lines[index]
    output += line + "\n"
    // Keep tabs in the padding so the caret lines up under tab-indented text.
    // Columns count Unicode scalars, as the lexer does.
    let padding = line.unicodeScalars.prefix(max(0, diagnostic.location.column - 1)).map { $0 == "\t" ? "\t" : " " }.joined()
    let available = max(1, line.unicodeScalars.count - (diagnostic.location.column - 1))
    let marker = "^" + String(repeating: "~", count: max(0, min(diagnostic.length, available) - 1))
    output += padding + (colors ? "\u{1B}[1;32m" + marker + "\u{1B}[0m" : marker) + "\n"
    return output
  }
}
