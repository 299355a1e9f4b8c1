import QEMUProbe
import Testing

/// Parsing the command lines libvirt 9 writes (JSON -device, legacy -machine).
struct QEMUCommandLineTests {
  static let line = """
    LC_ALL=C PATH=/usr/bin HOME=/var/lib/libvirt/qemu/domain--1-g /usr/bin/qemu-system-x86_64 -name guest=g,debug-threads=on \
    -machine pc-i440fx-7.2,usb=off,dump-guest-core=off,memory-backend=pc.ram -accel tcg \
    -device '{"driver":"piix3-usb-uhci","id":"usb","bus":"pci.0","addr":"0x1.0x2"}' \
    -device '{"driver":"usb-tablet","id":"input0","bus":"usb.0","port":"1"}' \
    -audiodev '{"id":"audio1","driver":"spice"}' -spice port=5900,addr=127.0.0.1 \
    -chardev spicevmc,id=charchannel0,name=vdagent -display egl-headless,gl=on \
    -blockdev '{"driver":"file","filename":"/x.img","node-name":"libvirt-1-storage"}'
    """

  @Test func readsDevicesMachineAcceleratorAndBackends() {
    let parsed = QEMUCommandLine(Self.line)
    #expect(parsed.devices == ["piix3-usb-uhci", "usb-tablet"])
    #expect(parsed.machine == "pc-i440fx-7.2")
    #expect(parsed.machineOptions == "pc-i440fx-7.2,usb=off,dump-guest-core=off")
    #expect(parsed.accelerator == "tcg")
    #expect(parsed.audioDrivers == ["spice"])
    #expect(parsed.chardevBackends == ["spicevmc"])
    #expect(parsed.displays == ["egl-headless", "opengl", "spice"])
    #expect(parsed.blockDrivers == ["file"])
  }

  @Test func legacySyntaxAndKVM() {
    let parsed = QEMUCommandLine("/usr/bin/qemu-system-x86_64 -M q35 -enable-kvm -device virtio-net-pci,netdev=n0 -device e1000")
    #expect(parsed.devices == ["e1000", "virtio-net-pci"])
    #expect(parsed.machine == "q35")
    #expect(parsed.accelerator == "kvm")
  }
}
