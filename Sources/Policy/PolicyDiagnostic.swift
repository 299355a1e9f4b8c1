/// One problem found in a policy: what, where, and how long the offending text is.
///
/// Detection (lexer, parser, schema) only creates diagnostics; ``DiagnosticFormatter`` renders
/// them.
public struct PolicyDiagnostic: Error, Hashable, Sendable, CustomStringConvertible {
  /// How serious the problem is.
  public enum Severity: String, Sendable {
    /// The policy cannot be used.
    case error
    /// The policy works but probably not as meant.
    case warning
  }

  /// The stable identifier of the message (see ``PolicyMessage``), for tests and docs.
  public let id: String
  /// The sentence shown to the user.
  public let message: String
  /// Where the problem starts.
  public let location: SourceLocation
  /// How many characters to underline (at least 1).
  public let length: Int
  /// Error or warning.
  public let severity: Severity

  /// Creates a diagnostic from a catalogued message.
  public init(_ message: PolicyMessage, at location: SourceLocation, length: Int = 1, severity: Severity = .error) {
    self.id = message.id
    self.message = message.text
    self.location = location
    self.length = max(1, length)
    self.severity = severity
  }

  /// `file:line:col: error: message`.
  public var description: String { "\(location): \(severity.rawValue): \(message)" }
}

/// The diagnostics of one policy, sorted by position; thrown when any is an error.
public struct PolicyErrors: Error, Sendable, CustomStringConvertible {
  /// Every diagnostic, in file order.
  public let diagnostics: [PolicyDiagnostic]

  /// Sorts the diagnostics by position.
  public init(_ diagnostics: [PolicyDiagnostic]) {
    self.diagnostics = diagnostics.sorted { $0.location < $1.location }
  }

  /// One line per diagnostic.
  public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
