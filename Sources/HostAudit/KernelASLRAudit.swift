/// The guide's "Enable kernel ASLR": configured, effective, and (a different thing) userspace ASLR.
public struct KernelASLRAudit: Sendable {
  private let files: HostFiles
  private let release: String
  private let kernelConfig: KernelConfig?

  /// Creates the audit.
  ///
  /// - Parameters:
  ///   - release: the running kernel's release (`uname -r`).
  ///   - kernelConfig: the kernel configuration when already read; otherwise it is read here.
  public init(files: HostFiles, release: String, kernelConfig: KernelConfig? = nil) {
    self.files = files
    self.release = release
    self.kernelConfig = kernelConfig ?? KernelConfig.read(files: files, release: release)
  }

  /// The three checks.
  public func checks() -> [HostCheck] {
    let config = kernelConfig
    let cmdline = files.value("/proc/cmdline") ?? ""
    let options = config?.options ?? [:]
    return [configured(config: config, options: options, cmdline: cmdline),
            effective(options: options, cmdline: cmdline), userspace()]
  }

  private func configured(config: KernelConfig?, options: [String: String], cmdline: String) -> HostCheck {
    let section = "Kernel ASLR"
    let title = "kernel ASLR configured (CONFIG_RANDOMIZE_BASE, no nokaslr)"
    let noKASLR = cmdline.split(separator: " ").contains("nokaslr")
    guard config != nil else {
      return HostCheck(
        id: "kaslr-configured", section: section, title: title, status: noKASLR ? .fail : .unknown,
        evidence: [KernelConfig.unreadable(release: release), "/proc/cmdline: \(cmdline)"])
    }
    let randomize = options["CONFIG_RANDOMIZE_BASE"]
    var evidence = ["kernel config: CONFIG_RANDOMIZE_BASE=\(randomize ?? "(not set)")", "/proc/cmdline: \(cmdline)"]
    if noKASLR { evidence.append("nokaslr on the kernel command line switches it off") }
    return HostCheck(
      id: "kaslr-configured", section: section, title: title, status: randomize == "y" && !noKASLR ? .pass : .fail,
      evidence: evidence)
  }

  /// Compares `_text` in /proc/kallsyms with the link-time address: an unrandomised kernel
  /// (e.g. a vmlinux booted directly, skipping the randomising decompressor) runs there.
  private func effective(options: [String: String], cmdline: String) -> HostCheck {
    let section = "Kernel ASLR"
    let title = "kernel ASLR effective (_text moved from its link-time address)"
    guard let kallsyms = files.text("/proc/kallsyms") else {
      return HostCheck(id: "kaslr-effective", section: section, title: title, status: .unknown, evidence: ["/proc/kallsyms: not readable"])
    }
    guard let line = kallsyms.split(separator: "\n").first(where: { $0.hasSuffix(" _text") }),
      let address = UInt64(line.split(separator: " ").first ?? "", radix: 16)
    else {
      return HostCheck(id: "kaslr-effective", section: section, title: title, status: .unknown, evidence: ["/proc/kallsyms: no _text symbol"])
    }
    guard address != 0 else {
      return HostCheck(
        id: "kaslr-effective", section: section, title: title, status: .unknown,
        evidence: ["/proc/kallsyms: _text reads as 0 (kptr_restrict hides addresses; run as root)"])
    }
    let physicalStart = options["CONFIG_PHYSICAL_START"].flatMap { UInt64($0.dropFirst($0.hasPrefix("0x") ? 2 : 0), radix: 16) } ?? 0x100_0000
    let linkTime: UInt64 = 0xffff_ffff_8000_0000 &+ physicalStart
    let hex = { (value: UInt64) in "0x" + String(value, radix: 16) }
    let evidence = ["/proc/kallsyms: _text at \(hex(address))", "link-time _text: \(hex(linkTime)) (0xffffffff80000000 + CONFIG_PHYSICAL_START)"]
    return HostCheck(id: "kaslr-effective", section: section, title: title, status: address == linkTime ? .fail : .pass, evidence: evidence)
  }

  private func userspace() -> HostCheck {
    let value = files.value("/proc/sys/kernel/randomize_va_space")
    let status: HostCheck.Status =
      switch value {
      case "2": .pass
      case "1": .warn
      case "0": .fail
      default: .unknown
      }
    return HostCheck(
      id: "aslr-userspace", section: "Kernel ASLR", title: "userspace ASLR (kernel.randomize_va_space = 2; not the same as kernel ASLR)",
      status: status, evidence: ["/proc/sys/kernel/randomize_va_space: \(value ?? "not readable")"])
  }
}
