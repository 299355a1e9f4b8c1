import QEMUProbe

/// The guide's "Use minimal number of devices" seen from the host: how many device models the
/// installed QEMU offers, and how many of them the host's domains actually use. The difference
/// is attack surface an operator could cut by building QEMU with only what is used.
public struct DeviceSurfaceAudit: Sendable {
  private let offered: [String]?
  private let used: [String: Set<String>]?
  private let emulator: String

  /// Creates the audit.
  ///
  /// - Parameters:
  ///   - offered: the device models `emulator -device help` lists, or `nil` when it could not run.
  ///   - used: per domain, the `-device` drivers of the command line libvirt builds for it;
  ///     `nil` when libvirt would not build command lines (a read-only, non-root client).
  public init(emulator: String, offered: [String]?, used: [String: Set<String>]?) {
    self.emulator = emulator
    self.offered = offered
    self.used = used
  }

  /// The models `emulator -device help` lists (QEMUProbe runs it), or `nil` when it cannot run.
  public static func offeredModels(emulator: String) -> [String]? {
    try? EmulatorProbe.deviceModels(emulator)
  }

  /// Where the layers (built in, per module), the machines' own devices and the remedies are.
  public static let details =
    "by layer, with each machine's own devices: kvmpolicy qemu surface; remedies: kvmpolicy qemu exclude-modules, kvmpolicy qemu devices-mak"

  /// The surface check.
  public func checks() -> [HostCheck] {
    let title = "QEMU device surface: models offered vs used by the host's domains"
    guard let offered, !offered.isEmpty else {
      return [HostCheck(id: "qemu-device-surface", section: "Minimal devices", title: title, status: .unknown, evidence: ["\(emulator) -device help: could not run"])]
    }
    guard let used else {
      return [
        HostCheck(
          id: "qemu-device-surface", section: "Minimal devices", title: title, status: .unknown,
          evidence: ["\(emulator) -device help: \(offered.count) device models", "the models in use need a read-write libvirt connection (root)", Self.details])
      ]
    }
    let all = used.values.reduce(into: Set<String>()) { $0.formUnion($1) }
    let usedOffered = all.intersection(offered)
    var evidence = [
      "\(emulator) -device help: \(offered.count) device models",
      "\(used.count) domain\(used.count == 1 ? "" : "s") use \(usedOffered.count)"
        + (usedOffered.isEmpty ? "" : ": " + usedOffered.sorted().joined(separator: ", ")),
    ]
    let share = Double(usedOffered.count) / Double(offered.count)
    evidence.append(
      "\(offered.count - usedOffered.count) models (\(Int((1 - share) * 100))%) are reachable but unused; a QEMU built with only the used ones removes that surface")
    evidence.append(Self.details)
    return [HostCheck(id: "qemu-device-surface", section: "Minimal devices", title: title, status: share < 0.5 ? .warn : .pass, evidence: evidence)]
  }
}
