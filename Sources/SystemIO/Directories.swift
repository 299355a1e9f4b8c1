#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Creating directories, with errors that name the directory and the reason.
public enum Directories {
  /// Creates `path` and any missing parents (like `mkdir -p`); new directories get `mode`.
  /// An existing directory is left as it is.
  public static func create(_ path: String, mode: mode_t = 0o755) throws(SystemError) {
    var info = stat()
    if stat(path, &info) == 0 {
      guard info.st_mode & S_IFMT == S_IFDIR else {
        throw SystemError(path: path, operation: "create the directory", reason: "\(FileContents.kind(info.st_mode)) is in the way")
      }
      return
    }
    if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
      try create(String(path[..<slash]), mode: mode)
    }
    guard mkdir(path, mode) == 0 || errno == EEXIST else {
      throw SystemError(path: path, operation: "create the directory", errno: errno)
    }
    // mkdir applies the umask; the mode asked for is the mode meant.
    chmod(path, mode)
  }
}
