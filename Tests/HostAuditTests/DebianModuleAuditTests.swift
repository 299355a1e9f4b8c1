import Foundation
import HostAudit
import TestSupport
import Testing

/// The module audit on the real kvm, kvm-intel, kvm-amd and vhost_net of Debian 12's current
/// kernel package (fetched and cached by `DebianKernelModules`; this machine's kernel has no
/// module files). Debian 12 ships them uncompressed (`CONFIG_MODULE_COMPRESS_NONE`); xz and
/// zstd copies stand for kernels that compress them.
@Suite(.requiresDebianKernelModules)
struct DebianModuleAuditTests {
  /// The site lists Debian 12's kernel (6.1, retpoline and return thunks, no kernel IBT) gives
  /// every one of these modules, and those it gives none.
  static let present = ["retpoline-sites", "return-sites", "static-call-sites"]
  static let absent = ["ibt-endbr-seal", "call-sites", "cfi-sites"]

  /// A fake host whose `/lib/modules/RELEASE` is the unpacked package (or `modules`, when
  /// given: path within the release directory → file to put there), on a CPU of `vendor`.
  static func audit(vendor: String, modules: [String: URL]? = nil) throws -> (checks: [HostCheck], host: FakeHost) {
    let unpacked = try DebianKernelModules.unpacked.get()
    let host = try FakeHost()
    let releaseDirectory = host.root.appendingPathComponent("lib/modules/\(unpacked.release)")
    let source = URL(fileURLWithPath: unpacked.root).appendingPathComponent("lib/modules/\(unpacked.release)")
    if let modules {
      for (path, file) in modules {
        let target = releaseDirectory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: file, to: target)
      }
      try FileManager.default.copyItem(at: source.appendingPathComponent("modules.builtin"), to: releaseDirectory.appendingPathComponent("modules.builtin"))
      try host.write("/lib/modules/\(unpacked.release)/modules.dep", modules.keys.sorted().map { "\($0):\n" }.joined())
    } else {
      try FileManager.default.createDirectory(at: releaseDirectory.deletingLastPathComponent(), withIntermediateDirectories: true)
      try FileManager.default.createSymbolicLink(at: releaseDirectory, withDestinationURL: source)
    }
    try host.write("/proc/cpuinfo", "processor\t: 0\nvendor_id\t: \(vendor)\n")
    try host.write("/sys/module/module/parameters/sig_enforce", "N\n")
    return (KernelModuleAudit(files: host.files, release: unpacked.release).checks(), host)
  }

  @Test(arguments: [("GenuineIntel", "kvm_intel"), ("AuthenticAMD", "kvm_amd")])
  func realModulesAreSignedBuiltForTheirKernelAndCarryTheLoadersSiteLists(vendor: String, module: String) throws {
    let release = try DebianKernelModules.unpacked.get().release
    let checks = try Self.audit(vendor: vendor).checks
    #expect(statuses(checks) == ["module:kvm PASS", "module:\(module) PASS", "module:vhost_net PASS", "module-sig-enforce WARN"])
    for check in checks.prefix(3) {
      let name = check.id
      #expect(check.evidence[0].hasSuffix(" bytes") && !check.evidence[0].contains("compressed"), "\(name): Debian 12 ships plain .ko files")
      #expect(check.evidence.contains { $0.hasPrefix("signed: pkcs7 signature of ") }, "\(name)")
      #expect(check.properties["signed"] == .bool(true), "\(name)")
      #expect(check.properties["vermagic"] == .string("\(release) SMP preempt mod_unload modversions"), "\(name)")
      #expect(check.properties["retpoline"] == .bool(true), "\(name)")
      #expect(check.properties["stack-protector"] == .bool(true), "\(name)")
      #expect(check.properties["return-thunk"] == .bool(true), "\(name)")
      #expect(check.properties["wx-sections"] == .int(0), "\(name)")
      for key in Self.present { #expect(check.properties[key] == .bool(true), "\(name): \(key)") }
      for key in Self.absent { #expect(check.properties[key] == .bool(false), "\(name): \(key)") }
      guard case .strings(let sections) = check.properties["sections"] else {
        Issue.record("\(name): no sections property")
        continue
      }
      for section in [".retpoline_sites", ".return_sites", ".smp_locks", ".orc_unwind", ".orc_unwind_ip", ".static_call_sites"] {
        #expect(sections.contains(section), "\(name): \(section)")
      }
      #expect(check.evidence.contains { $0.hasPrefix(".retpoline_sites: indirect calls through __x86_indirect_thunk_{") }, "\(name)")
      #expect(check.evidence.contains(".return_sites: returns go through __x86_return_thunk, pointed at load at the retbleed/SRSO thunk in force"))
    }
  }

  /// The same modules compressed as kernels with MODULE_COMPRESS_XZ or _ZSTD install them give
  /// the same verdicts and properties.
  @Test(.requiresExecutable("/usr/bin/xz"), .requiresExecutable("/usr/bin/zstd"))
  func xzAndZstdCompressedCopiesGiveTheSameResults() throws {
    let unpacked = try DebianKernelModules.unpacked.get()
    let scratch = try TemporaryDirectory.make("debian-modules")
    defer { try? FileManager.default.removeItem(at: scratch) }
    var modules: [String: URL] = [:]
    for (index, path) in DebianKernelModules.modulePaths.enumerated() {
      let copy = scratch.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent)
      try FileManager.default.copyItem(atPath: unpacked.root + "/lib/modules/\(unpacked.release)/\(path)", toPath: copy.path)
      let (tool, suffix) = index % 2 == 0 ? ("/usr/bin/xz", ".xz") : ("/usr/bin/zstd", ".zst")
      let packed = try Command.run(tool, tool.hasSuffix("xz") ? [copy.path] : ["-q", "--rm", copy.path])
      try #require(packed.status == 0, "\(tool): \(packed.output)")
      modules[path + suffix] = URL(fileURLWithPath: copy.path + suffix)
    }
    for vendor in ["GenuineIntel", "AuthenticAMD"] {
      let plain = try Self.audit(vendor: vendor).checks
      let packed = try Self.audit(vendor: vendor, modules: modules).checks
      #expect(statuses(packed) == statuses(plain))
      for (compressed, original) in zip(packed.prefix(3), plain.prefix(3)) {
        #expect(compressed.evidence[0].contains("xz-compressed") || compressed.evidence[0].contains("zstd-compressed"), "\(compressed.id)")
        #expect(compressed.properties == original.properties, "\(compressed.id)")
        #expect(Array(compressed.evidence.dropFirst()) == Array(original.evidence.dropFirst()), "\(compressed.id)")
      }
    }
  }
}
