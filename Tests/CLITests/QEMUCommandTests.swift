import Foundation
import TestSupport
import Testing

/// `kvmpolicy qemu` on bad input: an unknown use is exit 2 with the reason, never a fragment
/// or a devices file.
struct QEMUCommandTests {
  /// libvirt's test driver builds no QEMU command lines: the use is unknown.
  @Test func aHostWhoseDomainsHaveNoCommandLineIsUnknownAndExitsTwo() throws {
    let surface = try KVMPolicyProcess.run(["qemu", "surface", "-c", "test:///default"])
    #expect(surface.status == 2)
    #expect(surface.stdout.contains("domain test:///default: test (machine unknown, "))
    #expect(surface.stdout.contains("  UNKNOWN "))
    #expect(surface.stdout.hasSuffix("incomplete: some uses are UNKNOWN (above)\n"))
    #expect(surface.stderr.contains("error: test:///default: test: "))
    for command in ["exclude-modules", "devices-mak"] {
      let result = try KVMPolicyProcess.run(["qemu", command, "-c", "test:///default"])
      #expect(result.status == 2, "\(command)")
      #expect(result.stdout.isEmpty, "\(command) printed \(result.stdout)")
      #expect(result.stderr.hasPrefix("error: no "), "\(command): \(result.stderr)")
      #expect(result.stderr.contains("test:///default: test: "), "\(command): \(result.stderr)")
    }
  }

  @Test func anEmulatorThatIsNotQEMUExitsTwo() throws {
    let result = try KVMPolicyProcess.run(["qemu", "devices-mak", "-c", "test:///default", "--emulator", "/bin/true"])
    #expect(result.status == 2)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains("/bin/true: not a QEMU system emulator: -version exits 0 and says '', not 'QEMU emulator version ...'"))
    let relative = try KVMPolicyProcess.run(["qemu", "surface", "--emulator", "qemu-system-x86_64"])
    #expect(relative.status == 2)
    #expect(relative.stderr.contains("--emulator needs an absolute path"))
  }
}
