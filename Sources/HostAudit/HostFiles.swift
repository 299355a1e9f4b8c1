import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// Reads the host's files below a root (`/` normally; a fixture directory in tests).
public struct HostFiles: Sendable {
  /// The directory that stands for `/`.
  public let root: String

  /// Creates a reader; `root` is `/` for the real host.
  public init(root: String = "/") {
    self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
  }

  /// The path below the root.
  public func path(_ absolute: String) -> String { root + absolute }

  /// The most a host file may hold: a kernel module, /proc/kallsyms, a kernel config.
  public static let limit = 256 << 20

  /// A file's bytes, or `nil` when it cannot be read (SystemIO's one reader: no FIFO or device).
  public func bytes(_ absolute: String) -> [UInt8]? {
    try? FileContents.read(path(absolute), limit: Self.limit).get()
  }

  /// A text file, or `nil` when it cannot be read.
  public func text(_ absolute: String) -> String? {
    bytes(absolute).map { String(decoding: $0, as: UTF8.self) }
  }

  /// The first line of a file without white space around it (sysfs/procfs values).
  public func value(_ absolute: String) -> String? {
    text(absolute).map { $0.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? "" }
      .map { $0.trimmingCharacters(in: " \t\r") }
  }

  /// The names in a directory (a real path, not below the root).
  static func list(_ directory: String) throws(SystemError) -> [String] {
    try Directories.list(directory)
  }

  /// Whether a path exists.
  public func exists(_ absolute: String) -> Bool {
    access(path(absolute), F_OK) == 0
  }
}

extension String {
  /// This string without leading and trailing characters from `set`.
  func trimmingCharacters(in set: String) -> String {
    var scalars = Substring(self)
    while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
    while let last = scalars.last, set.contains(last) { scalars.removeLast() }
    return String(scalars)
  }
}
