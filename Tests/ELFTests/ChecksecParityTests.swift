import ELF
import Foundation
import TestSupport
import Testing

/// Field-by-field parity with `checksec --file=F --output=json` on gcc fixtures and this host's binaries.
@Suite struct ChecksecParityTests {
  /// Every ELF file of the guide's default list kvmpolicy host audits (those this host lacks are not tests).
  static let hostBinaries = [
    "/usr/bin/qemu-system-x86_64", "/usr/bin/qemu-system-x86_64-microvm", "/usr/libexec/qemu-system-i386", "/usr/bin/qemu-img",
    "/usr/bin/qemu-nbd", "/usr/bin/qemu-io", "/usr/sbin/libvirtd", "/usr/sbin/virtqemud", "/usr/sbin/virtlockd", "/usr/sbin/virtlogd",
    "/usr/bin/virsh", "/usr/lib/qemu/virtfs-proxy-helper", "/usr/libexec/virtfs-proxy-helper", "/usr/bin/virt-host-validate",
    "/usr/lib/x86_64-linux-gnu/libvirt.so.0", "/usr/lib/x86_64-linux-gnu/libvirt-qemu.so.0", "/usr/lib/x86_64-linux-gnu/libvirt-lxc.so.0",
    "/usr/lib/x86_64-linux-gnu/libvirt-admin.so.0",
  ]

  static func compare(_ path: String) throws {
    let expected = try Checksec.fields(path: path)
    let report = HardeningReport.analyze(try ELFFile(path: path), fortifiable: try Fixtures.libcChecked.get())
    let ours = ChecksecFields(report: report)
    for key in ChecksecFields.keys {
      #expect(ours[key] == expected[key], "\(path): \(key)")
    }
  }

  @Test(.requiresExecutable(Checksec.path), arguments: Fixtures.allNames)
  func fixtureMatchesChecksec(name: String) throws {
    try Self.compare(try Fixtures.path(name))
  }

  @Test(.requiresExecutable(Checksec.path), arguments: hostBinaries.filter { LibcFortify.fileExists($0) })
  func hostBinaryMatchesChecksec(path: String) throws {
    try Self.compare(path)
  }

  @Test(.requiresExecutable(Checksec.path))
  func reportAgreesWithChecksecWhereChecksecIsRight() throws {
    let libc = try Fixtures.libcChecked.get()
    for name in Fixtures.allNames {
      let path = try Fixtures.path(name)
      let expected = try Checksec.fields(path: path)
      let report = HardeningReport.analyze(try ELFFile(path: path), fortifiable: libc)
      if name != "object" { #expect((report.nx ? "yes" : "no") == expected["nx"], "\(name): nx") }
      if name != Fixtures.flags1NowOnly {
        let relro = report.relro == .none ? "no" : report.relro.rawValue
        #expect(relro == expected["relro"], "\(name): relro")
      }
    }
  }

  @Test(.requiresExecutable(Checksec.path))
  func documentedChecksecBugsGetTheRightAnswer() throws {
    let libc = try Fixtures.libcChecked.get()
    let objectPath = try Fixtures.path("object")
    let object = HardeningReport.analyze(try ELFFile(path: objectPath), fortifiable: libc)
    #expect(try Checksec.fields(path: objectPath)["nx"] == "no")
    #expect(object.nx)
    #expect(!object.checksecNX)

    let patchedPath = try Fixtures.path(Fixtures.flags1NowOnly)
    let patched = HardeningReport.analyze(try ELFFile(path: patchedPath), fortifiable: libc)
    #expect(try Checksec.fields(path: patchedPath)["relro"] == "partial")
    #expect(patched.relro == .full)
    #expect(patched.checksecRELRO == .partial)
  }
}
