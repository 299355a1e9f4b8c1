/// The x86 CET features the kernel enforces for a running process: the `x86_Thread_features`
/// and `x86_Thread_features_locked` lines of `/proc/PID/status`.
///
/// A file's CET marking (`CETMarking`) says it was built for a feature; this says the process
/// runs with it. The kernel prints the lines when it is built with user shadow stack support
/// (Linux 6.6+, `CONFIG_X86_USER_SHADOW_STACK`), as feature words followed by a space each
/// (`shstk`, `wrss`); an empty list means nothing is enabled. Debian 12's kernel (6.1) prints no
/// such line: `read` then returns `nil`, which means "not reported", not "off".
public struct X86ThreadFeatures: Equatable, Sendable {
  /// Why `/proc/PID/status` could not be read.
  public enum ReadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The status file could not be read: the process is gone, or /proc is hidden from us.
    case statusUnreadable(path: String)

    /// A one-line message for people.
    public var description: String {
      switch self {
      case .statusUnreadable(let path): "\(path): not readable (the process has exited, or /proc is not visible)"
      }
    }
  }

  /// The enabled features (`x86_Thread_features`), e.g. `["shstk", "wrss"]`.
  public let enabled: [String]
  /// The features locked against change by the process (`x86_Thread_features_locked`).
  public let locked: [String]

  /// Creates a result from the two lists.
  public init(enabled: [String], locked: [String]) {
    self.enabled = enabled
    self.locked = locked
  }

  /// Whether the process runs with a shadow stack (`shstk`).
  public var shadowStack: Bool { enabled.contains("shstk") }

  /// Whether the process may write to its shadow stack with `WRSS` (`wrss`), which weakens it.
  public var shadowStackWritable: Bool { enabled.contains("wrss") }

  /// The features of process `pid`, read through `files` (`/proc/PID/status` below its root);
  /// `nil` when the kernel does not report them.
  public static func read(pid: Int32, files: HostFiles) throws(ReadError) -> X86ThreadFeatures? {
    let path = "/proc/\(pid)/status"
    guard let status = files.text(path) else { throw .statusUnreadable(path: path) }
    return parse(status: status)
  }

  /// The features in the text of a `/proc/PID/status` file; `nil` without an `x86_Thread_features:` line.
  public static func parse(status: String) -> X86ThreadFeatures? {
    var enabled: [String]?
    var locked: [String] = []
    for line in status.split(separator: "\n") {
      guard let colon = line.firstIndex(of: ":") else { continue }
      let words = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      switch line[..<colon] {
      case "x86_Thread_features": enabled = words
      case "x86_Thread_features_locked": locked = words
      default: continue
      }
    }
    return enabled.map { X86ThreadFeatures(enabled: $0, locked: locked) }
  }

  /// The features as typed host-check properties: `thread-features`, `thread-features-locked`
  /// (lists of words) and `shstk-enforced`.
  public var properties: [String: HostValue] {
    ["thread-features": .strings(enabled), "thread-features-locked": .strings(locked), "shstk-enforced": .bool(shadowStack)]
  }

  /// One evidence line, e.g. `x86_Thread_features: shstk (locked: shstk)`.
  public var evidence: String {
    let list = { (words: [String]) in words.isEmpty ? "none" : words.joined(separator: " ") }
    return "x86_Thread_features: \(list(enabled)) (locked: \(list(locked)))"
  }
}
