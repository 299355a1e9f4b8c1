#if canImport(Glibc)
  import Glibc
#endif

/// Writes diagnostics to standard error, one line each.
enum StandardError {
  /// Writes `line` and (unless it has one or `newline` is false) a newline to file descriptor 2.
  static func print(_ line: String, newline: Bool = true) {
    var text = line.hasSuffix("\n") || !newline ? line : line + "\n"
    text.withUTF8 { buffer in
      var offset = 0
      while offset < buffer.count {
        let written = write(2, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
        if written <= 0 { return }
        offset += written
      }
    }
  }
}
