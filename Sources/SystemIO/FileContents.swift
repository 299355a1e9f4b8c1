#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Reads a whole file, the one way every module does: without blocking on the open (a FIFO or a
/// device at the path cannot hang the reader), only a regular file, at most `limit` bytes,
/// retrying on EINTR, into storage sized by the file.
public enum FileContents {
  /// The bytes of the regular file at `path`, or why not.
  public static func read(_ path: String, limit: Int) -> Result<[UInt8], SystemError> {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard descriptor >= 0 else { return .failure(SystemError(path: path, operation: "open", errno: errno)) }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { return .failure(SystemError(path: path, operation: "stat", errno: errno)) }
    guard info.st_mode & S_IFMT == S_IFREG else {
      return .failure(SystemError(path: path, operation: "read", reason: "not a regular file (\(kind(info.st_mode)))"))
    }
    guard info.st_size <= limit else {
      return .failure(SystemError(path: path, operation: "read", reason: "\(info.st_size) bytes, more than the \(limit) allowed"))
    }
    // Sized by the file, read into uninitialized storage: nothing is zeroed or copied twice.
    var room = info.st_size > 0 ? Int(info.st_size) + 1 : 4096
    var bytes: [UInt8] = []
    while true {
      var failure: Int32 = 0
      var got = 0
      let chunk = [UInt8](unsafeUninitializedCapacity: room) { buffer, initialized in
        repeat {
          got = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
        } while got < 0 && errno == EINTR
        if got < 0 { failure = errno }
        initialized = max(got, 0)
      }
      if got < 0 { return .failure(SystemError(path: path, operation: "read", errno: failure)) }
      if got == 0 { return .success(bytes) }
      bytes += chunk
      // A file that grows while it is read (procfs, a writer racing us) is cut off here.
      if bytes.count > limit { return .failure(SystemError(path: path, operation: "read", reason: "more than the \(limit) bytes allowed")) }
      room = max(room, 4096)
    }
  }

  /// The file's text (UTF-8, invalid bytes replaced), or why not.
  public static func text(_ path: String, limit: Int) -> Result<String, SystemError> {
    read(path, limit: limit).map { String(decoding: $0, as: UTF8.self) }
  }

  /// What a file mode says a file is, in words.
  public static func kind(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFREG: "a regular file"
    case S_IFIFO: "a FIFO"
    case S_IFCHR: "a character device"
    case S_IFBLK: "a block device"
    case S_IFDIR: "a directory"
    case S_IFLNK: "a symbolic link"
    case S_IFSOCK: "a socket"
    default: "an unknown kind of file"
    }
  }
}
