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

  /// Runs `kvmpolicy arguments...` with optional standard input and extra environment.
  public static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Result {
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["LIBVIRT_DEFAULT_URI"] = nil
    env.merge(environment) { $1 }
    process.environment = env
    let output = Pipe()
    let errors = Pipe()
    let input = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Read both pipes concurrently so a large output cannot block the child.
    let stderrData = LockedData()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { stderrData.value = errors.fileHandleForReading.readDataToEndOfFile() }
    let stdoutData = output.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
      stderr: String(decoding: stderrData.value, as: UTF8.self))
  }
}

private final class LockedData: @unchecked Sendable {
  private let lock = NSLock()
  private var data = Data()
  var value: Data {
    get { lock.withLock { data } }
    set { lock.withLock { data = newValue } }
  }
}
