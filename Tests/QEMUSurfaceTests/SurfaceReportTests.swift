import QEMUProbe
import QEMUSurface
import Reporting
import Testing

/// Layers, shares and UNKNOWN in the surface report.
struct SurfaceReportTests {
  @Test func layersCountUsedAndUnused() throws {
    let report = QEMUSurfaceReport(
      fleet: FleetFixtures.fleet([FleetFixtures.domain("web", FleetFixtures.plain), FleetFixtures.domain("desk", FleetFixtures.spice)]))
    let emulator = try #require(report.emulators.first)
    #expect(emulator.offeredCount == 6)
    #expect(emulator.usedCount == 2)
    #expect(emulator.unusedPercent == 66)
    let layers = Dictionary(uniqueKeysWithValues: emulator.layers.map { ($0.name, $0) })
    #expect(layers["built-in"]?.models.count == 4)
    #expect(layers["built-in"]?.used == ["usb-tablet"])
    #expect(layers["hw-usb-redirect"]?.used == ["usb-redir"])
    // qxl needs three modules; it belongs to the most specific, the one only it needs.
    #expect(layers["hw-display-qxl"]?.models == ["qxl"])
    #expect(layers["ui-spice-core"]?.models == [])
    #expect(emulator.machineOnly == ["PIIX4_PM", "i440FX-pcihost"])
    #expect(report.isComplete)
    let text = QEMUSurfaceTextReporter().render(report)
    #expect(text.contains("  2 domains use 2 of 6 models offered by -device; 4 (66%) reachable but unused\n"))
    #expect(text.contains("  hw-display-qxl: qxl; imports from ui-spice-core\n"))
    #expect(text.contains("  command line: usb-redir [hw-usb-redirect]\n"))
  }

  @Test func aDomainWithoutCommandLineIsUnknown() {
    let report = QEMUSurfaceReport(fleet: FleetFixtures.fleet([FleetFixtures.domain("db", nil, error: "no command line")]))
    #expect(!report.isComplete)
    #expect(QEMUSurfaceTextReporter().render(report).contains("domain qemu:///system: db (machine unknown, /usr/bin/qemu-system-x86_64)\n  UNKNOWN no command line\n"))
  }
}
