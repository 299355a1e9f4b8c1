import Foundation
import QEMUProbe
import TestSupport
import Testing

/// The probes on this machine's QEMU (Debian 12's qemu-system-x86 with its modules).
@Suite(.requiresExecutable("/usr/bin/qemu-system-x86_64"))
struct ProbeTests {
  @Test func machineProbeListsThePCMachinesOwnDevices() throws {
    let devices = try MachineProbe.devices(emulator: "/usr/bin/qemu-system-x86_64", machine: "pc-i440fx-7.2,usb=off,dump-guest-core=off", accelerator: "tcg")
    #expect(Set(["i440FX-pcihost", "PIIX3", "PIIX4_PM", "piix3-ide", "hpet", "ioapic", "mc146818rtc", "i8042"]).isSubset(of: Set(devices)), "\(devices)")
  }
}

extension ProbeTests {
  @Test func modulesAreToldApartFromTheBinary() throws {
    let surface = try EmulatorProbe.probe(emulator: "/usr/bin/qemu-system-x86_64")
    #expect(surface.version == "7.2.22")
    #expect(surface.builtin.contains("virtio-net-pci"))
    #expect(!surface.builtin.contains("usb-redir"))
    #expect(surface.needs["usb-redir"] == ["hw-usb-redirect"])
    #expect(surface.needs["qxl"]?.contains("hw-display-qxl") == true)
    #expect(surface.needs["qxl"]?.contains("ui-spice-core") == true)
    #expect(surface.modules.first { $0.name == "hw-display-qxl" }?.dependencies.contains("ui-spice-core") == true)
    #expect(surface.models.count == surface.builtin.count + surface.needs.count)
  }

  @Test func somethingThatIsNotQEMUIsAnError() throws {
    #expect(throws: QEMUProbeError.self) { try EmulatorProbe.probe(emulator: "/bin/true") }
    #expect(throws: QEMUProbeError.self) { try EmulatorProbe.probe(emulator: "/nonexistent/qemu-system-x86_64") }
  }

  @Test func aQEMUThatFailsIsAnErrorNotAnEmptySurface() throws {
    let directory = try TemporaryDirectory.make("fake-qemu")
    defer { try? FileManager.default.removeItem(at: directory) }
    let fake = directory.appendingPathComponent("qemu-system-x86_64").path
    // Says it is QEMU, then fails every question.
    try "#!/bin/sh\n[ \"$1\" = -version ] && echo 'QEMU emulator version 7.2.22' && exit 0\necho broken >&2\nexit 1\n"
      .write(toFile: fake, atomically: false, encoding: .utf8)
    #expect(chmod(fake, 0o755) == 0)
    #expect(throws: QEMUProbeError.failed(path: fake, arguments: "-device help", reason: "exit 1: broken\n")) {
      try EmulatorProbe.probe(emulator: fake)
    }
    #expect(throws: QEMUProbeError.self) { try MachineProbe.devices(emulator: fake, machine: "pc") }
  }
}
