import DomainModel
import Inventory

/// Reads the QEMU side of hosts: libvirt's command line for every domain (through the
/// inventory), each emulator's device surface (``EmulatorProbe``) and the devices each machine
/// type makes by itself (``MachineProbe``, once per emulator, machine and accelerator).
public enum QEMUFleetCollector {
  /// The inventory options this needs: command lines, nothing else.
  public static let inventoryOptions = InventoryCollector.Options(securityModels: false, commandLines: true)

  /// The fleet of `sources` (collected with ``inventoryOptions``).
  ///
  /// - Parameters:
  ///   - emulator: judge every domain against this binary instead of its `<emulator>`.
  ///   - extraEmulators: binaries to probe even when no domain uses them.
  public static func collect(
    sources: [InventorySource], emulator: String? = nil, extraEmulators: [String] = [],
    moduleDirectory: String = EmulatorProbe.defaultModuleDirectory
  ) -> QEMUFleet {
    var sourceErrors: [String] = []
    var listed: [(source: String, name: String, emulator: String, line: QEMUCommandLine?, error: String?)] = []
    for source in sources {
      if let error = source.error { sourceErrors.append("\(error)") }
      for domain in source.domains {
        let path = emulator ?? domain.model?.devices.first { $0.deviceClass == .emulator }?.attribute("path").first ?? "/usr/bin/qemu-system-x86_64"
        let line = domain.commandLine.map(QEMUCommandLine.init)
        let error = line == nil ? domain.commandLineError ?? domain.error ?? "no command line" : nil
        listed.append((source.name, domain.name, path, line, error))
      }
    }
    var surfaces: [String: EmulatorSurface] = [:]
    var emulatorErrors: [String: QEMUProbeError] = [:]
    for path in Set(listed.map(\.emulator) + extraEmulators + (emulator.map { [$0] } ?? [])).sorted() {
      do throws(QEMUProbeError) { surfaces[path] = try EmulatorProbe.probe(emulator: path, moduleDirectory: moduleDirectory) } catch {
        emulatorErrors[path] = error
      }
    }
    var machines: [String: Result<[String], QEMUProbeError>] = [:]
    let domains = listed.map { entry -> QEMUFleet.Domain in
      guard let line = entry.line else {
        return QEMUFleet.Domain(source: entry.source, name: entry.name, emulator: entry.emulator, commandLine: nil, machineDevices: nil, error: entry.error)
      }
      guard surfaces[entry.emulator] != nil else {
        return QEMUFleet.Domain(
          source: entry.source, name: entry.name, emulator: entry.emulator, commandLine: line, machineDevices: nil,
          error: "its emulator \(entry.emulator) could not be probed")
      }
      guard let options = line.machineOptions, !options.isEmpty else {
        return QEMUFleet.Domain(
          source: entry.source, name: entry.name, emulator: entry.emulator, commandLine: line, machineDevices: nil,
          error: "the command line names no machine type")
      }
      let key = [entry.emulator, options, line.accelerator ?? "tcg"].joined(separator: "\u{0}")
      let result =
        machines[key]
        ?? Result { () throws(QEMUProbeError) in try MachineProbe.devices(emulator: entry.emulator, machine: options, accelerator: line.accelerator) }
      machines[key] = result
      switch result {
      case .success(let devices):
        return QEMUFleet.Domain(source: entry.source, name: entry.name, emulator: entry.emulator, commandLine: line, machineDevices: devices, error: nil)
      case .failure(let error):
        return QEMUFleet.Domain(
          source: entry.source, name: entry.name, emulator: entry.emulator, commandLine: line, machineDevices: nil,
          error: "machine \(options): \(error)")
      }
    }
    return QEMUFleet(sourceErrors: sourceErrors, domains: domains, surfaces: surfaces, emulatorErrors: emulatorErrors)
  }
}
