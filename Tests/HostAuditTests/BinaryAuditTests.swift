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
    let gcc = try Command.run(
      "/usr/bin/gcc",
      ["-w", "-fno-stack-protector", "-no-pie", "-Wl,-z,norelro", "-z", "execstack", source.path, "-o", host.root.appendingPathComponent("weak").path])
    try #require(gcc.status == 0, "\(gcc.output)")
    let check = try #require(BinaryAudit(files: host.files, targets: ["/weak"]).checks().first)
    #expect(check.status == .fail)
    #expect(check.evidence.last == "missing: RELRO none, no stack canary, executable stack (NX off), not PIE")
  }
}

/// Beyond checksec: CET marking, W+X memory, TEXTREL, and relocatable objects judged by what
/// applies to them. Fixtures are built with gcc in the test's fake host.
@Suite(.requiresExecutable("/usr/bin/gcc"))
struct BinaryAuditBeyondChecksecTests {
  /// Writes `text` to `/name` in the host and compiles it with `flags` to `/output`.
  static func gcc(_ host: FakeHost, _ name: String, _ text: String, _ flags: [String], output: String) throws {
    try host.write("/" + name, text)
    let result = try Command.run("/usr/bin/gcc", flags + ["-o", host.files.path("/" + output), host.files.path("/" + name)])
    try #require(result.status == 0, "gcc \(flags): \(result.output)")
  }

  static let plain = "int twice(int x) { return 2 * x; }\nint main(void) { return twice(1) - 2; }\n"

  @Test func aHardenedBinaryPassesWithTypedPropertiesAndCETIsInformational() throws {
    let host = try FakeHost()
    try Self.gcc(host, "plain.c", Self.plain, ["-fcf-protection=full", "-fstack-protector-all", "-Wl,-z,relro,-z,now"], output: "plain")
    let check = try #require(BinaryAudit(files: host.files, targets: ["/plain"]).checks().first)
    #expect(check.status == .pass)
    #expect(check.evidence[1] == "beyond checksec: CET marking none, W+X LOAD segments 0, TEXTREL no")
    #expect(check.evidence[2].hasPrefix("CET marking none: informational, not a verdict."))
    #expect(check.properties["ibt"] == .bool(false) && check.properties["shstk"] == .bool(false))
    #expect(check.properties["wx-segments"] == .int(0) && check.properties["wx-sections"] == .int(0))
    #expect(check.properties["textrel"] == .bool(false))
    #expect(check.properties["relro"] == .string("full"), "checksec's keys stay strings")
  }

  @Test func aForcedMarkingShowsAndNeedsNoNote() throws {
    let host = try FakeHost()
    try Self.gcc(host, "plain.c", Self.plain, ["-fcf-protection=full", "-fstack-protector-all", "-Wl,-z,ibt,-z,shstk,-z,relro,-z,now"], output: "marked")
    let check = try #require(BinaryAudit(files: host.files, targets: ["/marked"]).checks().first)
    #expect(check.status == .pass)
    #expect(check.properties["ibt"] == .bool(true) && check.properties["shstk"] == .bool(true))
    #expect(check.evidence[1].hasPrefix("beyond checksec: CET marking IBT, SHSTK,"))
    #expect(!check.evidence.contains { $0.contains("informational") })
  }

  @Test func writableAndExecutableSegmentsFail() throws {
    let host = try FakeHost()
    try host.write("/wx.s", ".section .wxtext,\"awx\",@progbits\n.globl wx_function\nwx_function:\n  ret\n.section .note.GNU-stack,\"\",@progbits\n")
    try Self.gcc(host, "main.c", "int wx_function(void);\nint main(void) { return wx_function(); }\n", ["-fstack-protector-all", "-Wl,-z,relro,-z,now", host.files.path("/wx.s")], output: "wx")
    let check = try #require(BinaryAudit(files: host.files, targets: ["/wx"]).checks().first)
    #expect(check.status == .fail)
    #expect(check.properties["wx-segments"] == .int(1))
    #expect(check.evidence.last == "missing: 1 writable and executable LOAD segment")
  }

  /// Non-PIC large-model code in a shared object, allowed by `-z notext`: DT_TEXTREL.
  @Test func textRelocationsFail() throws {
    let host = try FakeHost()
    try Self.gcc(
      host, "global.c", "int counter;\nint read_counter(void) { return counter; }\n",
      ["-shared", "-fno-pic", "-mcmodel=large", "-fstack-protector-all", "-Wl,-z,notext,-z,relro,-z,now"], output: "libtextrel.so")
    let check = try #require(BinaryAudit(files: host.files, targets: ["/libtextrel.so"]).checks().first)
    #expect(check.properties["textrel"] == .bool(true))
    #expect(check.status == .fail)
    #expect(check.evidence.last?.contains("TEXTREL (code pages made writable to relocate them)") == true)
  }

  /// Before this, an object failed for "RELRO none", which only a linked file can have.
  @Test func aGoodObjectPassesWithoutRELROOrPIE() throws {
    let host = try FakeHost()
    try Self.gcc(host, "plain.c", Self.plain, ["-c", "-fcf-protection=full", "-fstack-protector-all"], output: "plain.o")
    let check = try #require(BinaryAudit(files: host.files, targets: ["/plain.o"]).checks().first)
    #expect(check.status == .pass)
    #expect(check.title == "/plain.o: relocatable object: stack canary, non-executable stack note, no W+X sections")
    #expect(check.evidence == [
      "relocatable object (ET_REL): RELRO, PIE, TEXTREL and FORTIFY are decided when it is linked; not judged here",
      "canary yes, stack note non-executable, symbols yes",
      "beyond checksec: CET marking IBT, SHSTK, W+X sections 0",
    ])
    #expect(check.properties["ibt"] == .bool(true) && check.properties["shstk"] == .bool(true))
    #expect(check.properties["textrel"] == nil, "TEXTREL does not apply to an object")
    #expect(check.properties["stack-note"] == .string("non-executable"))
    #expect(check.properties["relro"] == .string("no") && check.properties["pie"] == .string("rel"), "checksec's strings, unjudged")
  }

  @Test func objectsThatAskForAnExecutableStackOrHaveWXSectionsFail() throws {
    let host = try FakeHost()
    let trampoline = "int apply(int (*f)(int), int x) { return f(x); }\nint outer(int y) { int add(int x) { return x + y; } return apply(add, 1); }\n"
    try Self.gcc(host, "trampoline.c", trampoline, ["-c", "-fstack-protector-all"], output: "trampoline.o")
    try Self.gcc(host, "bare.s", ".text\n.globl bare\nbare:\n  ret\n", ["-c"], output: "bare.o")
    try Self.gcc(
      host, "wx.s", ".section .wxtext,\"awx\",@progbits\n.globl f\nf:\n  ret\n.section .note.GNU-stack,\"\",@progbits\n", ["-c"], output: "wx.o")
    let checks = BinaryAudit(files: host.files, targets: ["/trampoline.o", "/bare.o", "/wx.o"]).checks()
    #expect(statuses(checks) == ["elf:/trampoline.o FAIL", "elf:/bare.o FAIL", "elf:/wx.o FAIL"])
    #expect(checks[0].evidence.last == "missing: .note.GNU-stack asks for an executable stack")
    #expect(checks[1].evidence.last == "missing: no stack canary, no .note.GNU-stack (GNU ld makes the stack executable)")
    #expect(checks[1].properties["stack-note"] == .string("missing"))
    #expect(checks[2].evidence.last == "missing: no stack canary, writable and executable sections .wxtext")
    #expect(checks[2].properties["wx-sections"] == .int(1))
  }

  /// A kernel module's stack is the kernel's: no stack note is asked of it. A compressed one
  /// (`.ko.xz`) is decompressed first.
  @Test(.requiresExecutable("/usr/bin/xz")) func aCompressedKernelModuleIsDecompressedAndNotAskedForAStackNote() throws {
    let host = try FakeHost()
    try Self.gcc(host, "fake.s", ".section .gnu.linkonce.this_module,\"a\"\n.byte 0\n.text\n.globl g\ng:\n  ret\n", ["-c"], output: "bare.ko")
    let packed = try Command.run("/usr/bin/xz", ["-k", host.files.path("/bare.ko")])
    try #require(packed.status == 0)
    let checks = BinaryAudit(files: host.files, targets: ["/bare.ko.xz"]).checks()
    let check = try #require(checks.first)
    #expect(check.title == "/bare.ko.xz: kernel module: stack canary, non-executable stack note, no W+X sections")
    #expect(check.evidence.first?.hasPrefix("xz-compressed kernel module (ET_REL)") == true)
    #expect(check.evidence.contains("the kernel's stack is never executable: .note.GNU-stack does not apply to a module"))
    #expect(check.evidence.last == "missing: no stack canary", "only the canary; no stack-note problem")
    #expect(!check.evidence.contains { $0.contains("informational") }, "user-space CET says nothing about kernel code")
  }
}
