import Foundation

/// Runs a program to its end (or kills it after a time limit) with standard input given, and
/// returns what it printed; a program that cannot be started is an error, not an empty answer.
struct ProcessRun: Sendable {
  /// The exit status, or `nil` when the time limit ended it.
  let status: Int32?
  /// Standard output.
  let output: String
  /// Standard error.
  let errors: String

  /// Runs `executable arguments...`.
  static func run(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], input: String = "", timeLimit: Double = 60
  ) throws -> ProcessRun {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env.merge(environment) { $1 }
    process.environment = env
    let output = Pipe()
    let errors = Pipe()
    let stdin = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = stdin
    // A program that exits without reading its input must not kill us with SIGPIPE: the write
    // below then fails with EPIPE, and the program's status tells what happened.
    _ = ignoreBrokenPipe
    try process.run()
    let state = Shared()
    let killer = DispatchWorkItem {
      if process.isRunning {
        state.timedOut = true
        process.terminate()
      }
    }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeLimit, execute: killer)
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { state.errors = errors.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) {
      if !input.isEmpty { try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8)) }
      try? stdin.fileHandleForWriting.close()
    }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    killer.cancel()
    return ProcessRun(
      status: state.timedOut ? nil : process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
      errors: String(decoding: state.errors, as: UTF8.self))
  }
}

/// Set once, before the first run.
private let ignoreBrokenPipe: Void = { signal(SIGPIPE, SIG_IGN) }()

/// What the helper threads of one run hand back.
private final class Shared: @unchecked Sendable {
  private let lock = NSLock()
  private var _timedOut = false
  private var _errors = Data()
  var timedOut: Bool {
    get { lock.withLock { _timedOut } }
    set { lock.withLock { _timedOut = newValue } }
  }
  var errors: Data {
    get { lock.withLock { _errors } }
    set { lock.withLock { _errors = newValue } }
  }
}
