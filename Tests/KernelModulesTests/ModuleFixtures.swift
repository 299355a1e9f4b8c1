import Foundation
import TestSupport

/// Helpers shared by the KernelModules tests: temp directories and the compression CLIs.
enum ModuleFixtures {
  /// A fresh, empty temporary directory.
  static func makeTempDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("kernelmodules-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: url, withIntermediateDirectories: true)
    return url
  }

  /// Deterministic test data: text-like runs mixed with pseudo-random bytes, `count` long.
  static func sampleBytes(count: Int) -> [UInt8] {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count)
    let phrase = Array("kvm vhost_net kvm_intel kvm_amd ".utf8)
    while bytes.count < count {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      if state >> 60 < 10 {
        bytes.append(contentsOf: phrase)
      } else {
        bytes.append(UInt8(truncatingIfNeeded: state >> 33))
      }
    }
    return Array(bytes.prefix(count))
  }

  /// Runs `tool arguments...` with `input` on stdin and returns its stdout.
  static func run(_ tool: String, _ arguments: [String], input: [UInt8]) throws -> [UInt8] {
    let result = try Command.run("/usr/bin/env", [tool] + arguments, stdin: input, separateErrors: true)
    guard result.status == 0 else { throw ToolFailure(tool: tool, status: result.status) }
    return result.stdoutBytes
  }

  /// A compression CLI exited with a failure status.
  struct ToolFailure: Error {
    let tool: String
    let status: Int32
  }
}
