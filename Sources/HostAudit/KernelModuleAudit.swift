import ELF
import KernelModules

/// The guide's binary hardening for the kernel side: the kvm, kvm_intel/kvm_amd and vhost_net
/// modules (found as modinfo does, decompressed in-process, signature trailer read), and
/// whether the kernel enforces module signatures.
public struct KernelModuleAudit: Sendable {
  private let files: HostFiles
  private let locator: ModuleLocator
  private let release: String

  /// Creates the audit for the running kernel (or a fixture root and release).
  public init(files: HostFiles, release: String) {
    self.files = files
    self.release = release
    self.locator = ModuleLocator(
      release: release, modulesRoot: files.path("/lib/modules"), sysModuleRoot: files.path("/sys/module"))
  }

  /// The modules the guide names: kvm, the CPU vendor's kvm module, vhost_net.
  public func moduleNames() -> [String] {
    ["kvm", ModuleLocator.cpuVendorModule(cpuinfoPath: files.path("/proc/cpuinfo")) ?? "kvm_intel", "vhost_net"]
  }

  /// One check per module, then signature enforcement.
  public func checks() -> [HostCheck] {
    moduleNames().map(check) + [enforcement()]
  }

  private func check(_ name: String) -> HostCheck {
    let title = "kernel module \(name): built in, or signed, built for this kernel, retpoline, return thunks, stack protector, no W+X"
    let id = "module:\(name)"
    switch locator.locate(name) {
    case .builtIn(let evidence):
      let source = evidence == .sysfs ? "/sys/module/\(name) without initstate" : "modules.builtin"
      return HostCheck(
        id: id, section: "Binary hardening", title: title, status: .pass,
        evidence: ["\(name): built into the kernel (\(source)); there is no module file to load or replace"])
    case .notFound(let reason):
      return HostCheck(id: id, section: "Binary hardening", title: title, status: .unknown, evidence: ["\(name): \(Self.describe(reason))"])
    case .file(let path, let compression):
      guard let raw = files.bytes(String(path.dropFirst(files.root.count))) ?? files.bytes(path) else {
        return HostCheck(id: id, section: "Binary hardening", title: title, status: .unknown, evidence: ["\(path): not readable"])
      }
      do {
        let bytes = try Decompressor.decompressIfNeeded(raw)
        var evidence = ["\(path): \(compression.map { "\($0.rawValue)-compressed, " } ?? "")\(bytes.count) bytes"]
        var status = HostCheck.Status.pass
        let signature = ModuleSignature.parse(bytes)
        if let signature {
          evidence.append("signed: \(signature.idType) signature of \(signature.signatureLength) bytes")
        } else {
          evidence.append("no '~Module signature appended~' trailer: anyone who can write the file can change what the kernel loads")
          status = .fail
        }
        var properties: [String: HostValue] = ["signed": .bool(signature != nil)]
        if let module = try? ELFFile(bytes: bytes, name: path) {
          let info = Self.modinfo(module.sectionData(named: ".modinfo") ?? [])
          let vermagic = info["vermagic"] ?? ""
          properties["vermagic"] = .string(vermagic.trimmingCharacters(in: " "))
          if vermagic.split(separator: " ").first.map(String.init) == release {
            evidence.append("vermagic: \(vermagic) (matches the running kernel)")
          } else {
            evidence.append("vermagic: \(vermagic.isEmpty ? "(none)" : vermagic); the running kernel is \(release)")
            status = .fail
          }
          properties["retpoline"] = .bool(info["retpoline"] == "Y")
          if info["retpoline"] == "Y" {
            evidence.append("retpoline: Y")
          } else {
            evidence.append("built without retpoline (no 'retpoline=Y' in .modinfo)")
            if status == .pass { status = .warn }
          }
          let canary = module.symbolNames.contains("__stack_chk_fail") || module.symbolNames.contains("__stack_chk_guard")
          properties["stack-protector"] = .bool(canary)
          evidence.append("stack protector: \(canary ? "yes" : "no (no __stack_chk_fail reference)")")
          if !canary, status == .pass { status = .warn }
          let loader = Self.loaderSections(module)
          evidence += loader.evidence
          properties.merge(loader.properties) { old, _ in old }
          if loader.warn, status == .pass { status = .warn }
          let wx = ExtendedHardeningReport.analyze(module).writableExecutableSections.map(\.name)
          properties["wx-sections"] = .int(wx.count)
          if !wx.isEmpty {
            evidence.append("writable and executable sections: \(wx.joined(separator: ", ")) (a kernel with STRICT_MODULE_RWX refuses to load it)")
            status = .fail
          }
        } else {
          evidence.append("not an ELF relocatable object after decompression")
          status = .fail
        }
        return HostCheck(id: id, section: "Binary hardening", title: title, status: status, evidence: evidence, properties: properties)
      } catch {
        return HostCheck(id: id, section: "Binary hardening", title: title, status: .unknown, evidence: ["\(path): \(error)"])
      }
    }
  }

  /// The sections the x86 module loader patches mitigations through (Linux 6.1's
  /// `module_finalize`, and `.call_sites`/`.cfi_sites` from 6.2), found or absent, as evidence
  /// and properties. Only plain returns warn: a module built without return thunks
  /// (CONFIG_RETHUNK) is outside the kernel's retbleed/SRSO return mitigations. The rest is
  /// information: `.ibt_endbr_seal` needs kernel IBT, which Debian 12's kernel is built without,
  /// and `.call_sites`/`.cfi_sites` do not exist before Linux 6.2.
  static func loaderSections(_ module: ELFFile) -> (evidence: [String], properties: [String: HostValue], warn: Bool) {
    guard module.machine == 62 else {
      return (["machine \(module.machine) is not x86-64: the x86 loader's mitigation sections do not apply"], [:], false)
    }
    let sections = KernelModuleSections(module)
    var properties: [String: HostValue] = ["sections": .strings(sections.found), "return-thunk": .bool(sections.returnThunk)]
    for entry in KernelModuleSections.entries {
      if let key = entry.key { properties[key] = .bool(sections.has(entry.name)) }
    }
    let absent = KernelModuleSections.entries.map(\.name).filter { !sections.has($0) }
    var evidence = [
      "loader sections found: \(sections.found.isEmpty ? "none" : sections.found.joined(separator: " "))",
      "loader sections absent: \(absent.isEmpty ? "none" : absent.joined(separator: " "))",
    ]
    let thunks = sections.indirectThunks.map { String($0.dropFirst("__x86_indirect_thunk_".count)) }
    if sections.has(".retpoline_sites") {
      evidence.append(".retpoline_sites: indirect calls through __x86_indirect_thunk_{\(thunks.joined(separator: ","))}, rewritten at load for the spectre_v2 mode in force")
    } else if !thunks.isEmpty {
      evidence.append("no .retpoline_sites although it calls __x86_indirect_thunk_*: the loader cannot rewrite those calls (they stay retpolines)")
    }
    var warn = false
    if sections.has(".return_sites") {
      evidence.append(".return_sites: returns go through __x86_return_thunk, pointed at load at the retbleed/SRSO thunk in force")
    } else if sections.returnThunk {
      evidence.append("no .return_sites although it returns through __x86_return_thunk: its returns stay on the thunk")
    } else {
      evidence.append("plain returns (no __x86_return_thunk, no .return_sites): built without return thunks, outside the retbleed/SRSO return mitigations")
      warn = true
    }
    if !sections.has(".ibt_endbr_seal") {
      evidence.append("no .ibt_endbr_seal: written only for kernel IBT (CONFIG_X86_KERNEL_IBT; Debian 12's kernel is built without it)")
    }
    return (evidence, properties, warn)
  }

  /// `key=value` entries of a module's NUL-separated `.modinfo` section (first value wins).
  static func modinfo(_ bytes: [UInt8]) -> [String: String] {
    var result: [String: String] = [:]
    for entry in bytes.split(separator: 0) {
      let text = String(decoding: entry, as: UTF8.self)
      guard let equals = text.firstIndex(of: "=") else { continue }
      let key = String(text[..<equals])
      if result[key] == nil { result[key] = String(text[text.index(after: equals)...]) }
    }
    return result
  }

  private static func describe(_ reason: ModuleLocation.NotFoundReason) -> String {
    switch reason {
    case .noModulesDirectory(let path): "not found: this kernel has no \(path) (no loadable modules), and it is not built in"
    case .fileMissing(let path): "listed in modules.dep but \(path) is missing"
    case .notListed: "not in modules.dep, modules.builtin or /sys/module"
    case .loadedWithoutFile: "loaded, but its module file is gone"
    }
  }

  private func enforcement() -> HostCheck {
    let enforce = files.value("/sys/module/module/parameters/sig_enforce")
    let lockdown = files.value("/sys/kernel/security/lockdown")
    var evidence = ["/sys/module/module/parameters/sig_enforce: \(enforce ?? "not readable")"]
    if let lockdown { evidence.append("/sys/kernel/security/lockdown: \(lockdown)") }
    let lockedDown = lockdown.map { !$0.contains("[none]") } ?? false
    let status: HostCheck.Status = enforce == "Y" || lockedDown ? .pass : (enforce == "N" ? .warn : .unknown)
    if status == .warn { evidence.append("unsigned modules still load (with a taint) unless module.sig_enforce=1 or lockdown is on") }
    return HostCheck(
      id: "module-sig-enforce", section: "Binary hardening", title: "the kernel refuses unsigned modules (sig_enforce or lockdown)",
      status: status, evidence: evidence)
  }
}
