/// Why a QEMU binary could not be asked what it offers; every case keeps the path.
public enum QEMUProbeError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file does not run, or does not answer `-version` as QEMU does.
  case notQEMU(path: String, reason: String)
  /// QEMU ran but failed (exit status and what it printed).
  case failed(path: String, arguments: String, reason: String)
  /// QEMU started but did not answer in time, or its answer could not be read.
  case noAnswer(path: String, arguments: String, reason: String)
  /// Built-in and module models cannot be told apart (the relocated copy did not behave as the
  /// original), or the module directory cannot be read.
  case modules(path: String, reason: String)

  /// One line for the user.
  public var description: String {
    switch self {
    case .notQEMU(let path, let reason): "\(path): not a QEMU system emulator: \(reason)"
    case .failed(let path, let arguments, let reason): "\(path) \(arguments): failed: \(reason)"
    case .noAnswer(let path, let arguments, let reason): "\(path) \(arguments): no answer: \(reason)"
    case .modules(let path, let reason): "\(path): cannot tell built-in from module device models: \(reason)"
    }
  }
}
