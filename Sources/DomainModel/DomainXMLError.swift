/// Why a piece of XML could not be read as a libvirt domain (or capabilities) document.
///
/// Carries the source name (a file path, `<stdin>`, or a libvirt URI and domain) and the 1-based
/// position libxml2 reported, so the CLI can print `file:line:col: error: message`.
public struct DomainXMLError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Where the XML came from, as the user would name it.
  public let source: String
  /// The 1-based line of the problem, or 0 when unknown.
  public let line: Int
  /// The 1-based column of the problem, or 0 when unknown.
  public let column: Int
  /// What is wrong, in one sentence.
  public let message: String

  /// Creates an error at a position in a source.
  public init(source: String, line: Int, column: Int = 0, message: String) {
    self.source = source
    self.line = line
    self.column = column
    self.message = message
  }

  /// `source:line:col: error: message`, the way compilers print it.
  public var description: String {
    var location = source
    if line > 0 {
      location += ":\(line)"
      if column > 0 { location += ":\(column)" }
    }
    return "\(location): error: \(message)"
  }
}
