import HostAudit
import QEMUProbe
import Testing

@Suite struct DeviceSurfaceAuditTests {
  static let help = """
    Controller/Bridge/Hub devices:
    name "pci-bridge", bus PCI, desc "Standard PCI Bridge"
    name "usb-hub", bus usb-bus

    Network devices:
    name "e1000", bus PCI, alias "e1000-82540em", desc "Intel Gigabit Ethernet"
    name "virtio-net-pci", bus PCI, alias "virtio-net"
    """

  /// What the host check counts comes from QEMUProbe's one parser of each format.
  @Test func parsesDeviceHelpAndCommandLinesThroughQEMUProbe() {
    #expect(EmulatorProbe.deviceModels(help: Self.help) == ["e1000", "pci-bridge", "usb-hub", "virtio-net-pci"])
    let argv = """
      LC_ALL=C /usr/bin/qemu-system-x86_64 -name guest=vm -device '{"driver":"virtio-net-pci","id":"net0"}' \
      -device usb-hub,id=hub0,bus=usb.0 -device '{"driver":"intel-hda","id":"sound0"}'
      """
    #expect(QEMUCommandLine(argv).devices == ["intel-hda", "usb-hub", "virtio-net-pci"])
  }

  @Test func noDomainsNoDanglingColon() {
    let check = DeviceSurfaceAudit(emulator: "q", offered: ["a", "b"], used: [:]).checks()[0]
    #expect(check.evidence[1] == "0 domains use 0")
  }

  @Test func mostlyUnusedModelsAreAWarningWithTheNumbers() {
    let models = EmulatorProbe.deviceModels(help: Self.help)
    let check = DeviceSurfaceAudit(emulator: "/usr/bin/qemu-system-x86_64", offered: models, used: ["vm": ["virtio-net-pci"]]).checks()[0]
    #expect(check.status == .warn)
    #expect(check.evidence == [
      "/usr/bin/qemu-system-x86_64 -device help: 4 device models", "1 domain use 1: virtio-net-pci",
      "3 models (75%) are reachable but unused; a QEMU built with only the used ones removes that surface",
      "by layer, with each machine's own devices: kvmpolicy qemu surface; remedies: kvmpolicy qemu exclude-modules, kvmpolicy qemu devices-mak",
    ])
    let wellCut = DeviceSurfaceAudit(emulator: "q", offered: ["a", "b"], used: ["vm": ["a", "b"]]).checks()[0]
    #expect(wellCut.status == .pass)
    #expect(DeviceSurfaceAudit(emulator: "q", offered: nil, used: [:]).checks()[0].status == .unknown)
    #expect(DeviceSurfaceAudit(emulator: "q", offered: ["a"], used: nil).checks()[0].status == .unknown)
  }
}
