import QEMUProbe
import QEMUSurface
import Reporting
import Testing

/// The dpkg fragment: what is excluded, what is kept and why, and when there is none.
struct ModuleExclusionTests {
  @Test func excludesOnlyWhatNoDomainNeeds() throws {
    let exclusion = try ModuleExclusion(fleet: FleetFixtures.fleet([FleetFixtures.domain("web", FleetFixtures.plain)]))
    #expect(exclusion.excluded.map(\.module) == ["hw-display-qxl", "hw-usb-redirect", "ui-opengl", "ui-spice-core"])
    #expect(exclusion.kept.map(\.module) == ["accel-tcg-x86_64"])
    let text = ModuleExclusionReporter().render(exclusion)
    #expect(text.contains("\n# hw-usb-redirect: usb-redir\npath-exclude=/usr/lib/x86_64-linux-gnu/qemu/hw-usb-redirect.so\n"))
    #expect(text.contains("\n# hw-display-qxl: qxl\npath-exclude=/usr/lib/x86_64-linux-gnu/qemu/hw-display-qxl.so\n"))
    // dpkg takes everything after = as the pattern: no line may carry a trailing comment.
    #expect(text.split(separator: "\n").allSatisfy { $0.hasPrefix("#") || !$0.contains("#") })
    #expect(!text.contains("accel-tcg-x86_64.so"))
  }

  @Test func keepsWhatAModelOrAFeatureNeedsWithItsDependencies() throws {
    let exclusion = try ModuleExclusion(
      fleet: FleetFixtures.fleet([FleetFixtures.domain("web", FleetFixtures.plain), FleetFixtures.domain("desk", FleetFixtures.spice)]))
    // usb-redir needs hw-usb-redirect; -spice needs ui-spice-core, which imports from ui-opengl.
    #expect(exclusion.excluded.map(\.module) == ["hw-display-qxl"])
    let kept = Dictionary(uniqueKeysWithValues: exclusion.kept.map { ($0.module, $0.reasons) })
    #expect(kept["hw-usb-redirect"] == ["model usb-redir (desk)"])
    #expect(kept["ui-spice-core"] == ["display spice (desk)"])
    #expect(kept["ui-opengl"] == ["needed by ui-spice-core"])
  }

  @Test func refusesWhenADomainsUseIsUnknown() {
    let fleet = FleetFixtures.fleet([
      FleetFixtures.domain("web", FleetFixtures.plain),
      FleetFixtures.domain("db", nil, error: "libvirt builds QEMU command lines only for read-write connections (root)"),
    ])
    #expect(throws: ModuleExclusion.Refusal.self) { try ModuleExclusion(fleet: fleet) }
    do {
      _ = try ModuleExclusion(fleet: fleet)
    } catch {
      #expect(error.reasons == ["qemu:///system: db: libvirt builds QEMU command lines only for read-write connections (root)"])
    }
  }

  @Test func refusesWithoutDomainsOrWithAnEmulatorThatCouldNotBeProbed() {
    #expect(throws: ModuleExclusion.Refusal.self) { try ModuleExclusion(fleet: FleetFixtures.fleet([])) }
    let broken = QEMUFleet(
      sourceErrors: [], domains: [FleetFixtures.domain("web", FleetFixtures.plain)], surfaces: [:],
      emulatorErrors: [FleetFixtures.emulator: .notQEMU(path: FleetFixtures.emulator, reason: "not an executable file")])
    #expect(throws: ModuleExclusion.Refusal.self) { try ModuleExclusion(fleet: broken) }
  }
}
