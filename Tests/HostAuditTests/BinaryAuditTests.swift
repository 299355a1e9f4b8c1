import Foundation
import HostAudit
import TestSupport
import Testing

@Suite struct BinaryAuditTests {
  @Test(.requiresExecutable("/usr/bin/qemu-img")) func judgesELFFilesFollowsScriptWrappersAndReportsTheRest() throws {
    let host = try FakeHost()
    let bin = host.root.appendingPathComponent("usr/bin")
    try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: "/usr/bin/qemu-img", toPath: bin.appendingPathComponent("qemu-img").path)
    try host.write("/usr/bin/qemu-wrapper", "#!/bin/sh\nexec /usr/bin/qemu-img \"$@\"\n")
    try host.write("/usr/bin/not-elf", "just text\n")
    let checks = BinaryAudit(files: host.files, targets: ["/usr/bin/qemu-img", "/usr/bin/qemu-wrapper", "/usr/bin/not-elf", "/usr/bin/missing"])
      .checks()
    #expect(statuses(checks) == [
      "elf:/usr/bin/qemu-img PASS", "elf:/usr/bin/qemu-wrapper PASS", "elf:/usr/bin/not-elf UNKNOWN", "elf:/usr/bin/missing UNKNOWN",
    ])
    #expect(checks[0].evidence[0].hasPrefix("relro full, canary yes, nx yes, pie PIE enabled, fortify yes"))
    #expect(checks[1].evidence[0] == "/usr/bin/qemu-wrapper: a shell script that runs /usr/bin/qemu-img")
  }

  @Test func aBinaryWithoutHardeningFails() throws {
    let host = try FakeHost()
    let source = host.root.appendingPathComponent("weak.c")
    try "#include <stdio.h>\nint main(void) { char b[8]; gets(b); puts(b); return 0; }\n".write(to: source, atomically: false, encoding: .utf8)
    let gcc = Process()
    gcc.executableURL = URL(fileURLWithPath: "/usr/bin/gcc")
    gcc.arguments = ["-w", "-fno-stack-protector", "-no-pie", "-Wl,-z,norelro", "-z", "execstack", source.path, "-o", host.root.appendingPathComponent("weak").path]
    try gcc.run()
    gcc.waitUntilExit()
    try #require(gcc.terminationStatus == 0)
    let check = try #require(BinaryAudit(files: host.files, targets: ["/weak"]).checks().first)
    #expect(check.status == .fail)
    #expect(check.evidence.last == "missing: RELRO none, no stack canary, executable stack (NX off), not PIE")
  }
}
