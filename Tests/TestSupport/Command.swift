import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Runs a program to its end and returns its status and combined output.
///
/// Uses posix_spawn and waitpid directly, with the output going through a file and every signal
/// unblocked in the child: a command that starts a daemon (restart-libvirtd) must not leave the
/// test waiting on a pipe, a lost SIGCHLD, or a daemon that inherited a blocked SIGTERM.
public enum Command {
  /// What one run printed (standard output and error together) and how it exited.
  public struct Result: Sendable {
    /// The exit status, or 128 + the signal that ended it.
    public let status: Int32
    /// Standard output and standard error, interleaved.
    public let output: String
  }

  /// A program could not be started.
  public struct SpawnError: Error, CustomStringConvertible {
    /// What failed, with the reason.
    public let description: String
  }

  /// Runs `executable arguments...` with standard input from /dev/null.
  @discardableResult
  public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Result {
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-command-\(UUID().uuidString).log").path
    defer { unlink(log) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
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
    env.merge(environment) { $1 }
    let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { envp.forEach { free($0) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    guard spawned == 0 else {
      throw SpawnError(description: "cannot run \(executable): \(String(cString: strerror(spawned)))")
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    let exited = (status & 0x7f) == 0
    return Result(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output: output)
  }
}
