/// Why an ELF file could not be read.
public enum ELFError: Error, Equatable, Sendable {
  /// No file exists at the path.
  case fileNotFound(path: String)
  /// The file exists but could not be opened, inspected or mapped; `errno` says why.
  case ioError(path: String, operation: String, errno: Int32)
  /// The file does not start with the ELF magic (for example a shell script).
  case notELF(path: String)
  /// The file starts like an ELF file but ends before a structure it declares.
  case truncated(path: String, what: String)
  /// The file is an ELF file whose header or tables are inconsistent or unsupported.
  case corrupt(path: String, reason: String)
}

extension ELFError: CustomStringConvertible {
  /// A one-line message for people.
  public var description: String {
    switch self {
    case .fileNotFound(let path): return "\(path): no such file"
    case .ioError(let path, let operation, let code): return "\(path): \(operation) failed (errno \(code))"
    case .notELF(let path): return "\(path): not an ELF file"
    case .truncated(let path, let what): return "\(path): truncated ELF file (\(what) lies past the end)"
    case .corrupt(let path, let reason): return "\(path): corrupt ELF file (\(reason))"
    }
  }
}
