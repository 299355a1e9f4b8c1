import DomainModel
import KernelModules
import Libvirt

#if canImport(Glibc)
  import Glibc
#endif

/// Runs every host check: reads the host's files, and asks libvirt (read-only) for its
/// security models and the running domains' live XML.
public enum HostAuditor {
  /// The running kernel's release (`uname -r`).
  public static func kernelRelease() -> String {
    var name = utsname()
    uname(&name)
    return withUnsafeBytes(of: &name.release) { raw in
      String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
  }

  /// Every check, in section order. A libvirt that cannot be reached makes its checks UNKNOWN.
  public static func run(
    files: HostFiles = HostFiles(), uri: String?, release: String = kernelRelease(), kernelConfig: String? = nil,
    elfTargets: [String]? = nil, probeHook: Bool = false
  ) -> [HostCheck] {
    // `--elf FILE...`: just these files.
    if let elfTargets { return BinaryAudit(files: files, targets: elfTargets).checks() }
    var models: [String]?
    var running: [SVirtAudit.RunningDomain] = []
    var used: [String: Set<String>]? = [:]
    var emulator = "/usr/bin/qemu-system-x86_64"
    // libvirt builds command lines only for read-write clients (root).
    let writable = try? Connection(uri: uri, readOnly: false)
    if writable == nil { used = nil }
    if let connection = try? Connection(uri: uri, readOnly: true) {
      if let xml = try? connection.capabilities(), let capabilities = try? HostCapabilities(xml: xml, source: "capabilities") {
        models = capabilities.securityModels.map(\.model)
      }
      for handle in (try? connection.domains()) ?? [] {
        guard let xml = try? handle.xml(), let domain = try? Domain.parse(xml: xml, source: handle.name) else { continue }
        if (try? handle.isActive()) == true { running.append(SVirtAudit.RunningDomain(name: handle.name, domain: domain)) }
        if let path = domain.devices.first(where: { $0.deviceClass == .emulator })?.attribute("path").first { emulator = path }
        // The command line libvirt would run names every QEMU device model the domain uses.
        if let writable, let argv = try? writable.nativeConfig(domainXML: (try? handle.xml(inactive: true)) ?? xml) {
          used?[handle.name] = DeviceSurfaceAudit.devices(commandLine: argv)
        }
      }
    }
    // /proc/config.gz, when the kernel offers it, is the configuration it really runs with.
    let config = kernelConfig ?? files.bytes("/proc/config.gz").flatMap { try? Decompressor.decompress($0, format: .gzip) }
      .map { String(decoding: $0, as: UTF8.self) }
    return SVirtAudit(files: files, securityModels: models, running: running).checks()
      + BinaryAudit(files: files).checks()
      + KernelModuleAudit(files: files, release: release).checks()
      + KernelASLRAudit(files: files, release: release, kernelConfig: config).checks()
      + KVMHostAudit(files: files, release: release, kernelConfig: config).checks()
      + DeviceSurfaceAudit(emulator: emulator, offered: DeviceSurfaceAudit.offeredModels(emulator: emulator), used: used).checks()
      + HookAudit(files: files).checks(veto: probeHook ? HookProbe(uri: uri, root: files.root).check() : HookProbe.notProbed)
  }
}
