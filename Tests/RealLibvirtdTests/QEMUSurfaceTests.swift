import Foundation
import TestSupport
import Testing

/// `kvmpolicy qemu surface` and `devices-mak` on the real libvirtd with the TCG test guest.
@Suite(.serialized, .requiresRealLibvirtd)
struct RealLibvirtdQEMUSurfaceTests {
  @Test func theTestGuestsModelsWithTheirLayersAndItsMachinesOwnDevices() throws {
    let name = try TestGuests.define("qemu-surface", start: true)
    defer { TestGuests.remove([name]) }
    let result = try KVMPolicyProcess.run(["qemu", "surface", "-c", TestGuests.uri, "--format", "json"])
    #expect(result.status == 0, "\(result.stderr)")
    let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(root["schema"] as? String == "kvmpolicy.qemu-surface")
    let domain = try #require((root["domains"] as? [[String: Any]])?.first { $0["name"] as? String == name })
    let line = (domain["commandLine"] as? [[String: String]] ?? []).map { "\($0["model"] ?? "") [\($0["layer"] ?? "")]" }
    #expect(line == ["hda-duplex [built-in]", "intel-hda [built-in]", "piix3-usb-uhci [built-in]", "usb-tablet [built-in]", "virtio-balloon-pci [built-in]"])
    let machine = (domain["machineDevices"] as? [[String: String]] ?? []).compactMap { $0["model"] }
    #expect(Set(["i440FX-pcihost", "PIIX4_PM", "piix3-ide", "mc146818rtc"]).isSubset(of: Set(machine)), "\(machine)")
    let emulator = try #require((root["emulators"] as? [[String: Any]])?.first)
    let layers = emulator["layers"] as? [[String: Any]] ?? []
    #expect(layers.first { $0["name"] as? String == "hw-usb-redirect" }?["models"] as? [String] == ["usb-redir"])

    let text = try KVMPolicyProcess.run(["qemu", "surface", "-c", TestGuests.uri])
    #expect(text.stdout.contains("  hw-usb-redirect: usb-redir\n"))
    let mak = try KVMPolicyProcess.run(["qemu", "devices-mak", "-c", TestGuests.uri])
    #expect(mak.status == 0, "\(mak.stderr)")
    #expect(mak.stdout.contains("CONFIG_I440FX=y  # machine pc-i440fx-7.2\n"))
    #expect(mak.stdout.contains("CONFIG_HDA=y  # hda-duplex, intel-hda\n"))
  }
}
