/// Which findings a waiver covers: every criterion given must hold, and each list is one-of.
public struct FindingSelector: Hashable, Sendable {
  /// Check IDs (`device-not-allowed`); empty for any check.
  public let checks: [String]
  /// Device classes (`disk`); empty for any finding. A finding about no device (sVirt labels,
  /// QEMU passthrough, boot files) has no class, so a class criterion never covers it.
  public let deviceClasses: [String]
  /// Rule paths (`devices.disk.allow[0]`, or a section such as `devices.disk`); empty for any rule.
  public let rules: [String]
  /// Finding IDs (`KP-` and 12 lower-case hex digits); empty for any finding.
  public let ids: [String]

  /// Creates a selector.
  public init(checks: [String] = [], deviceClasses: [String] = [], rules: [String] = [], ids: [String] = []) {
    self.checks = checks
    self.deviceClasses = deviceClasses
    self.rules = rules
    self.ids = ids
  }

  /// Every check a finding can have, as the engine names them (its `Check` raw values; a test
  /// keeps the two lists equal). The policy layer comes before the engine, so it keeps its own.
  public static let knownChecks = [
    "device-denied", "class-denied", "device-not-allowed", "seclabel-none", "seclabel-model", "seclabel-unconfined",
    "seclabel-type", "seclabel-relabel", "seclabel-shared", "qemu-passthrough", "path-traversal", "boot-file",
  ]

  /// Whether no criterion is given (a waiver for every finding, which the schema refuses).
  public var isEmpty: Bool { checks.isEmpty && deviceClasses.isEmpty && rules.isEmpty && ids.isEmpty }

  /// Whether a finding with this check, device class (`nil` when it is about no device), rule
  /// path and ID is covered.
  public func selects(check: String, deviceClass: String?, rule: String, id: String) -> Bool {
    if !checks.isEmpty && !checks.contains(check) { return false }
    if !deviceClasses.isEmpty && deviceClass.map(deviceClasses.contains) != true { return false }
    if !ids.isEmpty && !ids.contains(id) { return false }
    if !rules.isEmpty && !rules.contains(where: { Self.rulePath($0, covers: rule) }) { return false }
    return true
  }

  /// Whether a waiver's rule path covers a finding's: the same rule, or a section above it
  /// (`devices.disk` covers `devices.disk.allow[0]` and `devices.disk.deny[1]`, never
  /// `devices.diskette`). A built-in rule's note is not part of its path: `defaults.devices`
  /// covers `defaults.devices (built-in: deny)`.
  public static func rulePath(_ path: String, covers findingRule: String) -> Bool {
    let wanted = Array(path.utf8)
    let rule = Array(findingRule.utf8)
    // The path as written ends where a built-in rule's note begins: `defaults.devices (built-in: deny)`.
    var end = rule.count
    for index in rule.indices.dropLast() where rule[index] == UInt8(ascii: " ") && rule[index + 1] == UInt8(ascii: "(") {
      end = index
      break
    }
    guard end >= wanted.count, rule[..<wanted.count].elementsEqual(wanted) else { return false }
    guard end > wanted.count else { return true }
    return rule[wanted.count] == UInt8(ascii: ".") || rule[wanted.count] == UInt8(ascii: "[")
  }
}
