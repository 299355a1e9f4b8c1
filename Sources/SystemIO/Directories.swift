#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Creating and listing directories, with errors that name the directory and the reason.
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

  /// The names in directory `path` (without `.` and `..`), in the order the file system gives.
  public static func list(_ path: String) throws(SystemError) -> [String] {
    guard let stream = opendir(path) else { throw SystemError(path: path, operation: "list the directory", errno: errno) }
    defer { closedir(stream) }
    var names: [String] = []
    while let entry = readdir(stream) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }
}
