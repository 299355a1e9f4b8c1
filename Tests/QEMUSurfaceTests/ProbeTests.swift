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
