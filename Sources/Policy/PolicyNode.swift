/// One node of a parsed policy document: the parser's output, before any schema check.
///
/// Keeps the position of every scalar and key so the schema can point at exactly what is wrong.
public struct PolicyNode: Sendable {
  /// How a scalar was written: quoting decides whether `yes` is a boolean or a string.
  public enum ScalarStyle: Sendable, Equatable {
    /// Unquoted.
    case plain
    /// `'...'`.
    case singleQuoted
    /// `"..."`.
    case doubleQuoted
  }

  /// A key and its value in a mapping.
  public struct Entry: Sendable {
    /// The key text.
    public let key: String
    /// Where the key starts.
    public let keyLocation: SourceLocation
    /// The value (an empty plain scalar for `key:` with nothing after it).
    public let value: PolicyNode
  }

  /// What the node is.
  public enum Kind: Sendable {
    /// A scalar with its decoded text.
    case scalar(String, ScalarStyle)
    /// A block (`- a`) or flow (`[a, b]`) sequence.
    case sequence([PolicyNode])
    /// A block (`k: v`) or flow (`{k: v}`) mapping, in document order.
    case mapping([Entry])
  }

  /// What the node is.
  public let kind: Kind
  /// Where the node starts.
  public let location: SourceLocation
  /// How many characters the node's first line spans (for the `^~~~` under it).
  public let length: Int

  /// Creates a node.
  public init(kind: Kind, location: SourceLocation, length: Int) {
    self.kind = kind
    self.location = location
    self.length = length
  }

  /// The scalar text, if this is a scalar.
  public var scalar: String? {
    if case .scalar(let text, _) = kind { return text }
    return nil
  }

  /// Whether this is a plain scalar with no text (`key:` with nothing after it, or `~`/`null`).
  public var isNull: Bool {
    if case .scalar(let text, .plain) = kind { return text.isEmpty || text == "~" || text == "null" }
    return false
  }

  /// A word for the node's kind, for messages: `a scalar`, `a list`, `a mapping`.
  public var kindDescription: String {
    switch kind {
    case .scalar: isNull ? "nothing" : "a scalar"
    case .sequence: "a list"
    case .mapping: "a mapping"
    }
  }
}
