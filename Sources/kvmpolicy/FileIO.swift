#if canImport(Glibc)
  import Glibc
#endif

/// Why a file could not be written or read.
struct FileError: Error, CustomStringConvertible {
  let description: String
}

extension String {
  /// Reads a UTF-8 file with POSIX calls.
  init(contentsOfPolicy path: String) throws {
    guard let file = fopen(path, "r") else { throw FileError(description: String(cString: strerror(errno))) }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = fread(&buffer, 1, buffer.count, file)
      if count == 0 { break }
      bytes += buffer[0..<count]
    }
    self = String(decoding: bytes, as: UTF8.self)
  }

  /// Writes the string to `path` atomically: a temporary file beside it, then rename.
  func write(toFile path: String) throws {
    let writer = try ReportWriter(path: path)
    writer.write(self)
    try writer.finish()
  }
}

/// Writes a report in pieces to standard output, or to a file that appears (by rename) only
/// once it is complete; buffered, straight to the file descriptor.
final class ReportWriter {
  private let descriptor: Int32
  private let path: String?
  private let temporary: String?
  private var buffer: [UInt8] = []
  private var failed = false

  /// Standard output, or a temporary file next to `path`.
  init(path: String?) throws {
    self.path = path
    buffer.reserveCapacity(1 << 16)
    guard let path else {
      descriptor = 1
      temporary = nil
      return
    }
    let temporary = path + ".kvmpolicy-\(getpid()).tmp"
    let opened = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard opened >= 0 else { throw FileError(description: String(cString: strerror(errno))) }
    descriptor = opened
    self.temporary = temporary
  }

  /// Appends text.
  func write(_ text: String) {
    var text = text
    text.withUTF8 { buffer.append(contentsOf: $0) }
    if buffer.count >= 1 << 16 { flush() }
  }

  private func flush() {
    buffer.withUnsafeBytes { bytes in
      var offset = 0
      while offset < bytes.count, !failed {
        let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if written < 0 && errno == EINTR { continue }
        if written <= 0 { failed = true }
        offset += max(written, 0)
      }
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Writes what is buffered; for a file, closes it and moves it into place.
  func finish() throws {
    flush()
    guard let path, let temporary else {
      if failed { throw FileError(description: String(cString: strerror(errno))) }
      return
    }
    let closed = close(descriptor)
    guard !failed, closed == 0 else {
      unlink(temporary)
      throw FileError(description: "short write")
    }
    guard rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw FileError(description: reason)
    }
  }
}
