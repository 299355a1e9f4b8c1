import DomainModel
import Inventory
import KernelModules
import QEMUProbe

/// Runs every host check: judges the host's files and what the collecting layer read from
/// libvirt (security models, running domains' live XML, command lines). Connects to nothing.
public enum HostAuditor {
  /// The running kernel's release (`uname -r`), "" if it cannot be read.
  public static func kernelRelease() -> String { ModuleLocator.runningRelease() ?? "" }

  /// What a host audit asks the inventory for: capabilities, live XML, and command lines
  /// (which libvirt builds only for read-write clients, so only as root).
  public static let inventoryOptions = InventoryCollector.Options(commandLines: true)

  /// Every check, in section order.
  ///
  /// - Parameters:
  ///   - libvirt: one connection's inventory (``inventoryOptions``); a source with an error
  ///     makes libvirt's checks UNKNOWN.
  ///   - veto: the hook probe's `hook-veto` check, if it was run.
  public static func run(
    files: HostFiles = HostFiles(), libvirt: InventorySource, release: String = kernelRelease(), kernelConfig: KernelConfig? = nil,
    veto: HostCheck = HookAudit.notProbed
  ) -> [HostCheck] {
    let reachable = libvirt.error == nil
    let models = reachable ? libvirt.securityModels.map(\.model) : nil
    var running: [SVirtAudit.RunningDomain] = []
    var emulator = "/usr/bin/qemu-system-x86_64"
    for entry in libvirt.domains {
      guard let domain = entry.model else { continue }
      if entry.state != .shutOff { running.append(SVirtAudit.RunningDomain(name: entry.name, domain: domain)) }
      if let path = domain.devices.first(where: { $0.deviceClass == .emulator })?.attribute("path").first { emulator = path }
    }
    // The command line libvirt would run names every QEMU device model the domain uses; none
    // at all means libvirt would not build them (not root).
    var used: [String: Set<String>]? = [:]
    for entry in libvirt.domains {
      if let line = entry.commandLine { used?[entry.name] = Set(QEMUCommandLine(line).devices) }
    }
    if !libvirt.domains.isEmpty && libvirt.domains.allSatisfy({ $0.commandLine == nil }) || !reachable { used = nil }
    let config = kernelConfig ?? KernelConfig.read(files: files, release: release)
    return SVirtAudit(files: files, securityModels: models, running: running).checks()
      + VMProcessAudit(files: files, running: running).checks()
      + BinaryAudit(files: files).checks()
      + KernelModuleAudit(files: files, release: release).checks()
      + KernelASLRAudit(files: files, release: release, kernelConfig: config).checks()
      + KVMHostAudit(files: files, release: release, kernelConfig: config).checks()
      + DeviceSurfaceAudit(emulator: emulator, offered: DeviceSurfaceAudit.offeredModels(emulator: emulator), used: used).checks()
      + HookAudit(files: files).checks(veto: veto)
  }

  /// `--elf FILE...`: just these files' ELF hardening.
  public static func run(files: HostFiles = HostFiles(), elfTargets: [String]) -> [HostCheck] {
    BinaryAudit(files: files, targets: elfTargets).checks()
  }
}
