import Foundation
import TestSupport
import Testing

/// The installed hook honours waivers on the real libvirtd (through the compiled policy that
/// install-hook leaves): a violating guest a waiver covers starts, an unwaived one and one whose
/// waiver expired are refused. Always uninstalls and restarts libvirtd again.
@Suite(.serialized, .requiresRealLibvirtd, .requiresSelfContainedHook)
struct RealLibvirtdHookWaiverTests {
  @Test func aWaivedViolatingGuestStartsAndAnUnwaivedOrExpiredOneIsRefused() throws {
    var guests: [String] = []
    defer {
      TestGuests.remove(guests)
      RealLibvirtdHookTests.uninstall()
    }
    try RealLibvirtdHookTests.install("Tests/Fixtures/policies/hook-waiver.yaml")
    // Each has the fixture's sound card, which the policy denies.
    let waived = try RealLibvirtdHookTests.define("hook-waived", withSound: true)
    guests.append(waived)
    let unwaived = try RealLibvirtdHookTests.define("hook-unwaived", withSound: true)
    guests.append(unwaived)
    let expired = try RealLibvirtdHookTests.define("hook-expired", withSound: true)
    guests.append(expired)

    let started = try TestGuests.virsh("start", waived)
    #expect(started.status == 0, "\(started.output)")
    #expect(try TestGuests.virsh("domstate", waived).output.contains("running"))

    let refused = try TestGuests.virsh("start", unwaived)
    #expect(refused.status == 1)
    #expect(refused.output.contains("kvmpolicy: refusing to start \(unwaived): 1 policy violation"))
    #expect(refused.output.contains("is not allowed: 'sound' devices are denied [devices.sound (/etc/kvmpolicy/policy.yaml:9:3)] KP-"))
    #expect(try TestGuests.virsh("domstate", unwaived).output.contains("shut off"))

    let refusedExpired = try TestGuests.virsh("start", expired)
    #expect(refusedExpired.status == 1)
    #expect(refusedExpired.output.contains("kvmpolicy: refusing to start \(expired): 1 policy violation"))
    #expect(refusedExpired.output.contains("(waiver waivers[expired-sound] expired on 2000-01-31)"))
    #expect(try TestGuests.virsh("domstate", expired).output.contains("shut off"))
  }
}
