import Foundation
import HostAudit
import TestSupport
import Testing

@Suite(.requiresExecutable("/usr/bin/gcc")) struct KernelModuleAuditTests {
  /// A fake kernel module: a relocatable object built by gcc with a `.modinfo` section, then
  /// (optionally) a PKCS#7 signature trailer of 8 bytes. With `thunks`, it is compiled as the
  /// kernel compiles modules (retpoline and return thunks) and carries the site lists objtool
  /// would add; `extraSections` adds sections with the given assembler flags (e.g. "awx").
  static func module(
    signed: Bool, vermagic: String = "6.1.0-test SMP preempt mod_unload", retpoline: Bool = true, thunks: Bool = true,
    extraSections: [(name: String, flags: String)] = [], in directory: URL
  ) throws -> Data {
    let source = directory.appendingPathComponent("module-\(UUID().uuidString).c")
    let object = source.deletingPathExtension().appendingPathExtension("o")
    let info = ["vermagic=\(vermagic)", "name=fake"] + (retpoline ? ["retpoline=Y"] : [])
    var c = info.enumerated().map { index, entry in
      "static const char info\(index)[] __attribute__((section(\".modinfo\"), used, aligned(1))) = \"\(entry)\";"
    }
    if thunks {
      c += [".retpoline_sites", ".return_sites"].enumerated().map { index, name in
        "static const int site\(index) __attribute__((section(\"\(name)\"), used)) = 0;"
      }
    }
    c += extraSections.map { "asm(\".section \($0.name),\\\"\($0.flags)\\\",@progbits\\n.byte 0\\n.previous\");" }
    c += [
      "extern void use(char *);", "extern int (*hook)(int);",
      "int entry(void) { char buffer[64]; use(buffer); return buffer[0] + hook(1); }",
    ]
    try (c.joined(separator: "\n") + "\n").write(to: source, atomically: false, encoding: .utf8)
    let flags = thunks ? ["-mindirect-branch=thunk-extern", "-mfunction-return=thunk-extern"] : []
    let gcc = try Command.run("/usr/bin/gcc", ["-c", "-fstack-protector-all"] + flags + [source.path, "-o", object.path])
    try #require(gcc.status == 0, "gcc: \(gcc.output)")
    var bytes = try Data(contentsOf: object)
    if signed {
      bytes += Data(repeating: 0xAB, count: 8)  // the signature itself
      bytes += Data([0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 8])  // algo, hash, id_type=PKCS#7, lengths, pad, sig_len=8
      bytes += Data("~Module signature appended~\n".utf8)
    }
    return bytes
  }

  @Test func signedCompressedUnsignedBuiltInAndMissingModules() throws {
    let host = try FakeHost()
    let release = "6.1.0-test"
    let directory = host.root.appendingPathComponent("lib/modules/\(release)/kernel/arch/x86/kvm")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try Self.module(signed: true, in: host.root).write(to: directory.appendingPathComponent("kvm-intel.ko"))
    let xz = try Command.run("/usr/bin/xz", ["-z", directory.appendingPathComponent("kvm-intel.ko").path])
    try #require(xz.status == 0, "\(xz.output)")
    try Self.module(signed: false, vermagic: "5.10.0-old SMP", retpoline: false, thunks: false, in: host.root)
      .write(to: directory.appendingPathComponent("vhost_net.ko"))
    try host.write("/lib/modules/\(release)/modules.dep", "kernel/arch/x86/kvm/kvm-intel.ko.xz: \nkernel/arch/x86/kvm/vhost_net.ko:\n")
    try host.write("/lib/modules/\(release)/modules.builtin", "kernel/arch/x86/kvm/kvm.ko\n")
    try host.write("/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\n")
    try host.write("/sys/module/module/parameters/sig_enforce", "N\n")
    try host.write("/sys/kernel/security/lockdown", "[none] integrity confidentiality\n")
    let checks = KernelModuleAudit(files: host.files, release: release).checks()
    #expect(statuses(checks) == ["module:kvm PASS", "module:kvm_intel PASS", "module:vhost_net FAIL", "module-sig-enforce WARN"])
    // The retpoline line names whichever register gcc picked for the indirect call.
    #expect(checks[1].evidence.dropFirst().filter { !$0.hasPrefix(".retpoline_sites: indirect calls through") } == [
      "signed: pkcs7 signature of 8 bytes", "vermagic: 6.1.0-test SMP preempt mod_unload (matches the running kernel)", "retpoline: Y",
      "stack protector: yes", "loader sections found: .retpoline_sites .return_sites",
      "loader sections absent: .altinstructions .parainstructions .call_sites .cfi_sites .ibt_endbr_seal .smp_locks .orc_unwind"
        + " .orc_unwind_ip .static_call_sites",
      ".return_sites: returns go through __x86_return_thunk, pointed at load at the retbleed/SRSO thunk in force",
      "no .ibt_endbr_seal: written only for kernel IBT (CONFIG_X86_KERNEL_IBT; Debian 12's kernel is built without it)",
    ])
    #expect(checks[1].evidence.contains { $0.hasPrefix(".retpoline_sites: indirect calls through __x86_indirect_thunk_{r") })
    #expect(checks[1].evidence.first?.contains("xz-compressed") == true)
    #expect(checks[1].properties["sections"] == .strings([".retpoline_sites", ".return_sites"]))
    #expect(checks[1].properties["retpoline-sites"] == .bool(true) && checks[1].properties["return-sites"] == .bool(true))
    #expect(checks[1].properties["ibt-endbr-seal"] == .bool(false) && checks[1].properties["cfi-sites"] == .bool(false))
    #expect(checks[1].properties["signed"] == .bool(true) && checks[1].properties["stack-protector"] == .bool(true))
    #expect(checks[1].properties["vermagic"] == .string("6.1.0-test SMP preempt mod_unload"))
    #expect(checks[2].evidence.contains("vermagic: 5.10.0-old SMP; the running kernel is 6.1.0-test"))
    #expect(checks[2].evidence.contains("built without retpoline (no 'retpoline=Y' in .modinfo)"))
    #expect(checks[2].evidence.contains(
      "plain returns (no __x86_return_thunk, no .return_sites): built without return thunks, outside the retbleed/SRSO return mitigations"))
    #expect(checks[2].properties["return-thunk"] == .bool(false) && checks[2].properties["signed"] == .bool(false))
  }

  /// Only plain returns warn among the loader sections; a W+X section fails (the kernel would
  /// refuse the module).
  @Test func plainReturnsWarnAndWritableCodeFails() throws {
    let host = try FakeHost()
    let release = "6.1.0-test"
    let directory = host.root.appendingPathComponent("lib/modules/\(release)/kernel")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try Self.module(signed: true, thunks: false, in: host.root).write(to: directory.appendingPathComponent("kvm.ko"))
    try Self.module(signed: true, extraSections: [(".wxtext", "awx")], in: host.root).write(to: directory.appendingPathComponent("vhost_net.ko"))
    try host.write("/lib/modules/\(release)/modules.dep", "kernel/kvm.ko:\nkernel/vhost_net.ko:\n")
    try host.write("/lib/modules/\(release)/modules.builtin", "kernel/arch/x86/kvm/kvm-intel.ko\n")
    try host.write("/proc/cpuinfo", "vendor_id\t: GenuineIntel\n")
    let checks = KernelModuleAudit(files: host.files, release: release).checks()
    #expect(statuses(checks).prefix(3) == ["module:kvm WARN", "module:kvm_intel PASS", "module:vhost_net FAIL"])
    #expect(checks[0].properties["return-thunk"] == .bool(false))
    #expect(checks[2].evidence.last == "writable and executable sections: .wxtext (a kernel with STRICT_MODULE_RWX refuses to load it)")
    #expect(checks[2].properties["wx-sections"] == .int(1))
  }

  @Test func lockdownCountsAsEnforcement() throws {
    let host = try FakeHost()
    try host.write("/sys/module/module/parameters/sig_enforce", "N\n")
    try host.write("/sys/kernel/security/lockdown", "none [integrity] confidentiality\n")
    let checks = KernelModuleAudit(files: host.files, release: "x").checks()
    #expect(checks.last?.status == .pass)
    #expect(checks.first?.status == .unknown, "no modules directory and not built in: not found, never a guess")
  }
}
