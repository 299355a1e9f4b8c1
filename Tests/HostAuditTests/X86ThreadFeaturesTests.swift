import Foundation
import HostAudit
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The running process's enforced CET features, from `/proc/PID/status`.
@Suite struct X86ThreadFeaturesTests {
  /// The status lines of Linux 6.6+ with user shadow stacks, as `arch_proc_pid_thread_features`
  /// prints them (each word followed by a space).
  static let status =
    "Name:\tqemu-system-x86\nState:\tS (sleeping)\nvoluntary_ctxt_switches:\t63\nnonvoluntary_ctxt_switches:\t0\n"
    + "x86_Thread_features:\tshstk wrss \nx86_Thread_features_locked:\tshstk \n"

  @Test func enabledAndLockedFeatures() throws {
    let host = try FakeHost()
    try host.write("/proc/4242/status", Self.status)
    let features = try #require(try X86ThreadFeatures.read(pid: 4242, files: host.files))
    #expect(features == X86ThreadFeatures(enabled: ["shstk", "wrss"], locked: ["shstk"]))
    #expect(features.shadowStack)
    #expect(features.shadowStackWritable)
    #expect(features.evidence == "x86_Thread_features: shstk wrss (locked: shstk)")
    #expect(features.properties == [
      "thread-features": .strings(["shstk", "wrss"]), "thread-features-locked": .strings(["shstk"]), "shstk-enforced": .bool(true),
    ])
  }

  /// A kernel with shadow-stack support prints the lines empty for a process that runs without one.
  @Test func emptyLinesMeanNothingIsEnforced() throws {
    let features = try #require(X86ThreadFeatures.parse(status: "Name:\tqemu\nx86_Thread_features:\t\nx86_Thread_features_locked:\t\n"))
    #expect(features.enabled.isEmpty && features.locked.isEmpty)
    #expect(!features.shadowStack)
    #expect(features.evidence == "x86_Thread_features: none (locked: none)")
  }

  /// Debian 12's kernel (6.1) has no such line: not reported, which is not the same as off.
  @Test func noLineIsNotReported() throws {
    let host = try FakeHost()
    try host.write("/proc/77/status", "Name:\tqemu\nState:\tS (sleeping)\n")
    #expect(try X86ThreadFeatures.read(pid: 77, files: host.files) == nil)
    #expect(X86ThreadFeatures.parse(status: "x86_Thread_features_locked:\tshstk\n") == nil, "the locked line alone says nothing")
  }

  @Test func aProcessWithoutStatusIsAnError() throws {
    let host = try FakeHost()
    #expect(throws: X86ThreadFeatures.ReadError.statusUnreadable(path: "/proc/99/status")) {
      try X86ThreadFeatures.read(pid: 99, files: host.files)
    }
  }

  /// This process, read through the real /proc, agrees with a direct parse of the same file.
  @Test func thisProcessThroughTheRealProc() throws {
    let pid = getpid()
    let direct = X86ThreadFeatures.parse(status: try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8))
    #expect(try X86ThreadFeatures.read(pid: pid, files: HostFiles()) == direct)
  }
}
