import QEMUProbe

/// Small made-up fleets for the pure judgements: one emulator with three modules.
enum FleetFixtures {
  static let emulator = "/usr/bin/qemu-system-x86_64"

  static let surface = EmulatorSurface(
    emulator: emulator, versionLine: "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)", version: "7.2.22",
    moduleDirectory: "/usr/lib/x86_64-linux-gnu/qemu",
    models: ["e1000", "piix3-usb-uhci", "qxl", "usb-redir", "usb-tablet", "virtio-net-pci"],
    builtin: ["e1000", "piix3-usb-uhci", "usb-tablet", "virtio-net-pci"],
    modules: [
      .init(name: "accel-tcg-x86_64", path: "/usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so", dependencies: []),
      .init(name: "hw-display-qxl", path: "/usr/lib/x86_64-linux-gnu/qemu/hw-display-qxl.so", dependencies: ["ui-spice-core"]),
      .init(name: "hw-usb-redirect", path: "/usr/lib/x86_64-linux-gnu/qemu/hw-usb-redirect.so", dependencies: []),
      .init(name: "ui-opengl", path: "/usr/lib/x86_64-linux-gnu/qemu/ui-opengl.so", dependencies: []),
      .init(name: "ui-spice-core", path: "/usr/lib/x86_64-linux-gnu/qemu/ui-spice-core.so", dependencies: ["ui-opengl"]),
    ],
    needs: ["qxl": ["hw-display-qxl", "ui-opengl", "ui-spice-core"], "usb-redir": ["hw-usb-redirect"]])

  static func domain(_ name: String, _ line: String?, machine: [String]? = ["i440FX-pcihost", "PIIX4_PM"], error: String? = nil) -> QEMUFleet.Domain {
    QEMUFleet.Domain(
      source: "qemu:///system", name: name, emulator: emulator, commandLine: line.map(QEMUCommandLine.init),
      machineDevices: line == nil ? nil : machine, error: error)
  }

  static func fleet(_ domains: [QEMUFleet.Domain], surface: EmulatorSurface = surface) -> QEMUFleet {
    QEMUFleet(sourceErrors: [], domains: domains, surfaces: [emulator: surface], emulatorErrors: [:])
  }

  static let plain = "/usr/bin/qemu-system-x86_64 -machine pc-i440fx-7.2,usb=off -accel tcg -device '{\"driver\":\"usb-tablet\"}'"
  static let spice =
    "/usr/bin/qemu-system-x86_64 -machine pc-i440fx-7.2 -accel kvm -spice port=5900 -device '{\"driver\":\"usb-redir\",\"chardev\":\"c\"}'"
}
