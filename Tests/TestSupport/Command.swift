import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Runs a program to its end: the one way tests run programs (kvmpolicy itself, virsh, gcc,
/// checksec, compressors).
///
/// Uses posix_spawn and waitpid directly, with standard input and output going through files
/// and every signal unblocked in the child: a command that starts a daemon (restart-libvirtd)
/// must not leave the test waiting on a pipe, a lost SIGCHLD, or a daemon that inherited a
/// blocked SIGTERM.
public enum Command {
  /// What one run printed and how it exited.
  public struct Result: Sendable {
    /// The exit status, or 128 + the signal that ended it.
    public let status: Int32
    /// Standard output's bytes (with standard error interleaved unless kept apart).
    public let stdoutBytes: [UInt8]
    /// Standard error, when kept apart; empty otherwise.
    public let stderr: String

    /// Standard output as text.
    public var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }
    /// Everything the command printed.
    public var output: String { stdout + stderr }
  }

  /// A program could not be started.
  public struct SpawnError: Error, CustomStringConvertible {
    /// What failed, with the reason.
    public let description: String
  }

  /// Runs `executable arguments...`.
  ///
  /// - Parameters:
  ///   - stdin: what standard input holds (from a file); `/dev/null` when `nil`.
  ///   - environment: changes to this process's environment: a value sets, `nil` removes.
  ///   - separateErrors: keep standard error apart (``Result/stderr``) instead of interleaved.
  @discardableResult
  public static func run(
    _ executable: String, _ arguments: [String], stdin: [UInt8]? = nil, environment: [String: String?] = [:],
    separateErrors: Bool = false
  ) throws -> Result {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-command-\(UUID().uuidString)").path
    let (inPath, outPath, errPath) = (scratch + ".in", scratch + ".out", scratch + ".err")
    defer { for path in [inPath, outPath, errPath] { unlink(path) } }
    if let stdin { FileManager.default.createFile(atPath: inPath, contents: Data(stdin)) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdin == nil ? "/dev/null" : inPath, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    if separateErrors {
      posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    } else {
      posix_spawn_file_actions_adddup2(&actions, 1, 2)
    }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { envp.forEach { free($0) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    guard spawned == 0 else {
      throw SpawnError(description: "cannot run \(executable): \(String(cString: strerror(spawned)))")
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let output = FileManager.default.contents(atPath: outPath).map { [UInt8]($0) } ?? []
    let errors = separateErrors ? FileManager.default.contents(atPath: errPath).map { String(decoding: $0, as: UTF8.self) } ?? "" : ""
    let exited = (status & 0x7f) == 0
    return Result(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), stdoutBytes: output, stderr: errors)
  }
}
