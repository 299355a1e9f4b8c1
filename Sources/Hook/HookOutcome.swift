/// What the hook process does: its exit status and what it writes.
public struct HookOutcome: Equatable, Sendable {
  /// 0 lets libvirt go on; anything else makes it fail the operation.
  public let status: Int32
  /// Lines for standard error (libvirt shows them in the error the user sees).
  public let messages: [String]
  /// Standard output: for `migrate`/`restore` filters, the XML libvirt uses (empty = unchanged).
  public let output: String

  /// Creates an outcome.
  public init(status: Int32, messages: [String] = [], output: String = "") {
    self.status = status
    self.messages = messages
    self.output = output
  }

  /// Exit 0, say nothing.
  public static let proceed = HookOutcome(status: 0)
}
