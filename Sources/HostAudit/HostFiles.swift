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

  /// A symbolic link's target as the kernel gives it (`mnt:[4026531832]` for
  /// `/proc/PID/ns/mnt`), or `nil` when it is not a link or cannot be read.
  public func link(_ absolute: String) -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = readlink(path(absolute), &buffer, buffer.count)
    guard count >= 0 else { return nil }
    return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// When a file's content last changed, in seconds since the epoch, or `nil` when it cannot be
  /// stat'ed.
  public func modified(_ absolute: String) -> Double? {
    var info = stat()
    guard stat(path(absolute), &info) == 0 else { return nil }
    return Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
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
