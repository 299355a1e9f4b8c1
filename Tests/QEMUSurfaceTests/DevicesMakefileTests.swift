import Foundation
import QEMUProbe
import QEMUSurface
import Reporting
import TestSupport
import Testing

/// The devices file: symbols from the shipped table, refusals, and QEMU's own minikconf.py
/// accepting the file for x86_64-softmmu.
struct DevicesMakefileTests {
  @Test func theShippedTableIsForTheInstalledQEMUVersionAndHasItsMachines() throws {
    let table = DeviceTable.shipped
    #expect(table.version == "7.2.22")
    #expect(table.machines["pc-i440fx-7.2"]?.first?.symbols == ["CONFIG_I440FX"])
    #expect(table.machines["q35"]?.first?.symbols == ["CONFIG_Q35"])
    #expect(table.devices["virtio-net-pci"]?.filter(\.x86_64).map(\.symbols) == [["CONFIG_VIRTIO", "CONFIG_VIRTIO_NET", "CONFIG_VIRTIO_PCI"]])
  }

  @Test func eachSymbolCarriesTheModelsThatNeedIt() throws {
    let file = try DevicesMakefile(fleet: FleetFixtures.fleet([FleetFixtures.domain("web", FleetFixtures.plain)]))
    let text = DevicesMakefileReporter().render(file)
    #expect(text.contains("CONFIG_I440FX=y  # machine pc-i440fx-7.2\n"))
    #expect(text.contains("CONFIG_USB=y  # usb-tablet\n"))
    #expect(text.contains("CONFIG_ACPI_PIIX4=y  # PIIX4_PM\n"))
    #expect(text.contains("CONFIG_PCI_I440FX=y  # i440FX-pcihost\n"))
  }

  @Test func refusesAModelTheTableDoesNotKnowAnotherVersionOrAnUnknownDomain() {
    let unknown = "/usr/bin/qemu-system-x86_64 -machine pc -device '{\"driver\":\"kvmpolicy-no-such-model\"}'"
    #expect(throws: DevicesMakefile.Refusal.self) { try DevicesMakefile(fleet: FleetFixtures.fleet([FleetFixtures.domain("x", unknown)])) }
    let other = EmulatorSurface(
      emulator: FleetFixtures.emulator, versionLine: "QEMU emulator version 8.0.0", version: "8.0.0", moduleDirectory: "/m", models: ["usb-tablet"],
      builtin: ["usb-tablet"], modules: [], needs: [:])
    #expect(throws: DevicesMakefile.Refusal.self) {
      try DevicesMakefile(fleet: FleetFixtures.fleet([FleetFixtures.domain("web", FleetFixtures.plain)], surface: other))
    }
    #expect(throws: DevicesMakefile.Refusal.self) {
      try DevicesMakefile(fleet: FleetFixtures.fleet([FleetFixtures.domain("db", nil, error: "no command line")]))
    }
  }

  /// The file for the TCG test guest's real command line and its machine's real device tree,
  /// checked by QEMU's own Kconfig resolver as configure runs it for x86_64-softmmu
  /// (`--without-default-devices`: minikconf --allnoconfig): it must resolve, and keep every
  /// symbol the file sets.
  @Test(.requiresQEMUSource, .requiresExecutable("/usr/bin/qemu-system-x86_64"))
  func qemusMinikconfAcceptsTheFileForTheTestGuest() throws {
    let line = """
      /usr/bin/qemu-system-x86_64 -machine pc-i440fx-7.2,usb=off,dump-guest-core=off -accel tcg \
      -device '{"driver":"piix3-usb-uhci","id":"usb"}' -device '{"driver":"usb-tablet","id":"input0"}' \
      -device '{"driver":"intel-hda","id":"sound0"}' -device '{"driver":"hda-duplex","id":"sound0-codec0"}' \
      -device '{"driver":"virtio-balloon-pci","id":"balloon0"}'
      """
    let machine = try MachineProbe.devices(emulator: FleetFixtures.emulator, machine: "pc-i440fx-7.2,usb=off,dump-guest-core=off", accelerator: "tcg")
    let surface = try EmulatorProbe.probe(emulator: FleetFixtures.emulator)
    let fleet = FleetFixtures.fleet([FleetFixtures.domain("kvmpolicy-test-minikconf", line, machine: machine)], surface: surface)
    let text = DevicesMakefileReporter().render(try DevicesMakefile(fleet: fleet))
    let directory = try TemporaryDirectory.make("minikconf")
    defer { try? FileManager.default.removeItem(at: directory) }
    let mak = directory.appendingPathComponent("kvmpolicy.mak").path
    try text.write(toFile: mak, atomically: false, encoding: .utf8)
    let source = QEMUSource.path
    let result = try Command.run(
      "/usr/bin/env",
      [
        "python3", source + "/scripts/minikconf.py", "--allnoconfig", directory.appendingPathComponent("out").path,
        directory.appendingPathComponent("dep").path, mak, source + "/Kconfig", "CONFIG_LINUX=y", "CONFIG_KVM=y", "CONFIG_TCG=y",
        "CONFIG_X86_64=y",
      ])
    #expect(result.status == 0, "\(result.output)")
    let enabled = Set(result.output.split(separator: "\n").filter { $0.hasSuffix("=y") }.map { String($0.dropLast(2)) })
    let set = text.split(separator: "\n").filter { $0.hasPrefix("CONFIG_") }.map { String($0.prefix { $0 != "=" }) }
    #expect(!set.isEmpty)
    for symbol in set { #expect(enabled.contains(symbol), "minikconf dropped \(symbol)") }
    // Kconfig adds what the board selects, and nothing the fleet did not ask for.
    #expect(enabled.contains("CONFIG_I440FX"))
    #expect(!enabled.contains("CONFIG_Q35"))
    #expect(!enabled.contains("CONFIG_E1000_PCI"))
  }

  /// The shipped table is exactly what the generator writes from the installed version's
  /// source: nobody edited it by hand.
  @Test(.requiresQEMUSource, .requiresExecutable("/usr/bin/python3"))
  func theShippedTableIsTheGeneratorsOutput() throws {
    let directory = try TemporaryDirectory.make("device-table")
    defer { try? FileManager.default.removeItem(at: directory) }
    let output = directory.appendingPathComponent("table.tsv").path
    let script = KVMPolicyProcess.repositoryRoot.appendingPathComponent("scripts/qemu-device-table").path
    let result = try Command.run("/usr/bin/python3", [script, QEMUSource.path, output])
    #expect(result.status == 0, "\(result.output)")
    let shipped = KVMPolicyProcess.repositoryRoot.appendingPathComponent("Sources/QEMUSurface/Resources/qemu-device-table.tsv").path
    #expect(try String(contentsOfFile: output, encoding: .utf8) == String(contentsOfFile: shipped, encoding: .utf8))
  }
}
