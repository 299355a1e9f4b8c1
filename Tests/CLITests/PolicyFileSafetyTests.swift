import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A policy path that is not a regular file of a sane size is an error at once, never a hang.
@Suite struct PolicyFileSafetyTests {
  @Test func aFIFOADeviceAndAHugeFileAreRefusedAtOnce() throws {
    let directory = try TemporaryDirectory.make("fifo")
    defer { try? FileManager.default.removeItem(at: directory) }
    let fifo = directory.appendingPathComponent("policy.yaml").path
    try #require(mkfifo(fifo, 0o644) == 0)
    // Nobody ever writes to the FIFO: a blocking open would never return.
    let fromFIFO = try KVMPolicyProcess.run(["policy", "check", fifo])
    #expect(fromFIFO.status == 2)
    #expect(fromFIFO.stderr == "\(fifo): error: cannot read the policy: not a regular file (a FIFO)\n")
    let fromDevice = try KVMPolicyProcess.run(["policy", "check", "/dev/zero"])
    #expect(fromDevice.stderr == "/dev/zero: error: cannot read the policy: not a regular file (a character device)\n")
    let huge = directory.appendingPathComponent("huge.yaml").path
    #expect(FileManager.default.createFile(atPath: huge, contents: nil))
    #expect(truncate(huge, 5 << 20) == 0)
    let fromHuge = try KVMPolicyProcess.run(["policy", "check", huge])
    #expect(fromHuge.status == 2)
    #expect(fromHuge.stderr == "\(huge): error: cannot read the policy: 5242880 bytes, more than the 4194304 allowed\n")
  }
}

/// Domain XML files go through the same reader: a FIFO is an input error at once.
@Suite struct DomainFileSafetyTests {
  @Test func aFIFOGivenAsDomainXMLIsAnInputErrorNotAHang() throws {
    let directory = try TemporaryDirectory.make("xmlfifo")
    defer { try? FileManager.default.removeItem(at: directory) }
    let fifo = directory.appendingPathComponent("vm.xml").path
    try #require(mkfifo(fifo, 0o644) == 0)
    let policy = KVMPolicyProcess.repositoryRoot.appendingPathComponent("policies/baseline.yaml").path
    let result = try KVMPolicyProcess.run(["check", "--policy", policy, "--xml", fifo])
    #expect(result.status == 2)
    #expect(result.stderr.contains("\(fifo): error: not a regular file (a FIFO)"))
  }
}
