/// A 1-based position in a policy file.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The file as the user named it.
  public let file: String
  /// 1-based line.
  public let line: Int
  /// 1-based column, counted in characters.
  public let column: Int

  /// Creates a location.
  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  /// `file:line:column`, or just `file` for a problem with the file as a whole (line 0).
  public var description: String { line > 0 ? "\(file):\(line):\(column)" : file }

  /// Orders by file, then line, then column.
  public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
    (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
  }
}
