import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// Why a file could not be written or read.
struct FileError: Error, CustomStringConvertible {
  let description: String
}

extension String {
  /// Writes the string to `path` atomically: a temporary file beside it, then rename.
  func write(toFile path: String) throws {
    let writer = try ReportWriter(path: path)
    writer.write(self)
    try writer.finish()
  }
}

/// Writes a report in pieces to standard output, or to a file that appears (by rename) only
/// once it is complete (``AtomicFile``: never over a device node or a link).
final class ReportWriter {
  private let file: AtomicFile?
  private var buffer: [UInt8] = []
  private var failure: Int32 = 0

  /// Standard output, or a temporary file next to `path`.
  init(path: String?) throws {
    do { file = try path.map { path throws(SystemError) in try AtomicFile(path: path, mode: 0o644) } } catch {
      throw FileError(description: error.reason)
    }
    if file == nil { buffer.reserveCapacity(1 << 16) }
  }

  /// Appends text.
  func write(_ text: String) {
    if let file { return file.write(text) }
    var text = text
    text.withUTF8 { buffer.append(contentsOf: $0) }
    if buffer.count >= 1 << 16 { flush() }
  }

  private func flush() {
    if failure == 0 { failure = buffer.withUnsafeBytes { FileDescriptorIO.writeAll(1, $0) } }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Writes what is buffered; for a file, moves it into place.
  func finish() throws {
    guard let file else {
      flush()
      if failure != 0 { throw FileError(description: String(cString: strerror(failure))) }
      return
    }
    do { try file.commit() } catch { throw FileError(description: error.reason) }
  }
}
