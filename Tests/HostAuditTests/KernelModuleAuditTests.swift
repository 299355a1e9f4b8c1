import Foundation
import HostAudit
import Testing

@Suite struct KernelModuleAuditTests {
  /// A fake kernel module: a relocatable object built by gcc with a `.modinfo` section, then
  /// (optionally) a PKCS#7 signature trailer of 8 bytes.
  static func module(signed: Bool, vermagic: String = "6.1.0-test SMP preempt mod_unload", retpoline: Bool = true, in directory: URL) throws -> Data {
    let source = directory.appendingPathComponent("module-\(UUID().uuidString).c")
    let object = source.deletingPathExtension().appendingPathExtension("o")
    let info = ["vermagic=\(vermagic)", "name=fake"] + (retpoline ? ["retpoline=Y"] : [])
    let c = info.enumerated().map { index, entry in
      "static const char info\(index)[] __attribute__((section(\".modinfo\"), used, aligned(1))) = \"\(entry)\";"
    }.joined(separator: "\n") + "\nextern void use(char *);\nint entry(void) { char buffer[64]; use(buffer); return buffer[0]; }\n"
    try c.write(to: source, atomically: false, encoding: .utf8)
    let gcc = Process()
    gcc.executableURL = URL(fileURLWithPath: "/usr/bin/gcc")
    gcc.arguments = ["-c", "-fstack-protector-all", source.path, "-o", object.path]
    try gcc.run()
    gcc.waitUntilExit()
    try #require(gcc.terminationStatus == 0)
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
    let xz = Process()
    xz.executableURL = URL(fileURLWithPath: "/usr/bin/xz")
    xz.arguments = ["-z", directory.appendingPathComponent("kvm-intel.ko").path]
    try xz.run()
    xz.waitUntilExit()
    try Self.module(signed: false, vermagic: "5.10.0-old SMP", retpoline: false, in: host.root).write(to: directory.appendingPathComponent("vhost_net.ko"))
    try host.write("/lib/modules/\(release)/modules.dep", "kernel/arch/x86/kvm/kvm-intel.ko.xz: \nkernel/arch/x86/kvm/vhost_net.ko:\n")
    try host.write("/lib/modules/\(release)/modules.builtin", "kernel/arch/x86/kvm/kvm.ko\n")
    try host.write("/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\n")
    try host.write("/sys/module/module/parameters/sig_enforce", "N\n")
    try host.write("/sys/kernel/security/lockdown", "[none] integrity confidentiality\n")
    let checks = KernelModuleAudit(files: host.files, release: release).checks()
    #expect(statuses(checks) == ["module:kvm PASS", "module:kvm_intel PASS", "module:vhost_net FAIL", "module-sig-enforce WARN"])
    #expect(checks[1].evidence.dropFirst().map { $0 } == [
      "signed: pkcs7 signature of 8 bytes", "vermagic: 6.1.0-test SMP preempt mod_unload (matches the running kernel)", "retpoline: Y",
      "stack protector: yes",
    ])
    #expect(checks[1].evidence.first?.contains("xz-compressed") == true)
    #expect(checks[2].evidence.contains("vermagic: 5.10.0-old SMP; the running kernel is 6.1.0-test"))
    #expect(checks[2].evidence.contains("built without retpoline (no 'retpoline=Y' in .modinfo)"))
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
