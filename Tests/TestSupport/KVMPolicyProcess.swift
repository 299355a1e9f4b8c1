import Foundation

/// Runs the built `kvmpolicy` binary as a user would, capturing what it prints.
public struct KVMPolicyProcess {
  /// What one run printed and how it exited.
  public struct Result: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
  }

  /// The repository root (this file is Tests/TestSupport/KVMPolicyProcess.swift).
  public static let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// The binary beside the test bundle, or `KVMPOLICY_BIN` when set.
  public static let binary: URL = {
    if let path = ProcessInfo.processInfo.environment["KVMPOLICY_BIN"] { return URL(fileURLWithPath: path) }
    var directory = Bundle.main.bundleURL
    if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
    return directory.appendingPathComponent("kvmpolicy")
  }()

  /// Runs `kvmpolicy arguments...` with optional standard input and extra environment
  /// (`LIBVIRT_DEFAULT_URI` removed, so the default connection is libvirt's own).
  public static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Result {
    var changes: [String: String?] = ["LIBVIRT_DEFAULT_URI": nil]
    for (key, value) in environment { changes[key] = value }
    let result = try Command.run(
      binary.path, arguments, stdin: stdin.map { Array($0.utf8) } ?? [], environment: changes, separateErrors: true)
    return Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
  }
}
