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
    let temporary = path + ".kvmpolicy-\(getpid()).tmp"
    guard let file = fopen(temporary, "w") else { throw FileError(description: String(cString: strerror(errno))) }
    var bytes = Array(utf8)
    let written = fwrite(&bytes, 1, bytes.count, file)
    let closed = fclose(file)
    guard written == bytes.count, closed == 0 else {
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
