public import DomainModel

/// Why an inventory source could not be read.
public enum InputError: Error, Sendable, CustomStringConvertible {
  /// The connection could not be opened or listed: libvirt's message.
  case connection(uri: String, message: String)
  /// A file is missing or unreadable.
  case file(path: String, reason: String)
  /// The XML is malformed or not a domain; carries file, line and column.
  case xml(DomainXMLError)

  /// One line for the user: `file:line:col: error: message` or `URI: error: message`.
  public var description: String {
    switch self {
    case .connection(let uri, let message): "\(uri): error: \(message)"
    case .file(let path, let reason): "\(path): error: \(reason)"
    case .xml(let error): error.description
    }
  }

  /// The message without the location.
  public var message: String {
    switch self {
    case .connection(_, let message): message
    case .file(_, let reason): reason
    case .xml(let error): error.message
    }
  }

  /// The 1-based line for XML errors, else `nil`.
  public var line: Int? {
    if case .xml(let error) = self, error.line > 0 { return error.line }
    return nil
  }

  /// The 1-based column for XML errors, else `nil`.
  public var column: Int? {
    if case .xml(let error) = self, error.column > 0 { return error.column }
    return nil
  }
}
