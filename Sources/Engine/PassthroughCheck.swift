import DomainModel
import Policy

/// Judges `<qemu:commandline>`, `<qemu:capabilities>` and `<qemu:override>`: they reach QEMU
/// past libvirt's device model, so they are denied unless the policy allows them.
enum PassthroughCheck {
  static func findings(_ context: Engine.Context) -> [Finding] {
    let passthrough = context.domain.qemuPassthrough
    guard !passthrough.isEmpty else { return [] }
    let policy = context.ruleset.passthrough
    if policy?.allowed == true { return [] }
    var parts: [String] = []
    if !passthrough.arguments.isEmpty { parts.append("arguments '\(passthrough.arguments.joined(separator: " "))'") }
    if !passthrough.environment.isEmpty { parts.append("environment \(passthrough.environment.map(\.name).joined(separator: ", "))") }
    let capabilities = passthrough.addedCapabilities.map { "+\($0)" } + passthrough.removedCapabilities.map { "-\($0)" }
    if !capabilities.isEmpty { parts.append("capabilities \(capabilities.joined(separator: " "))") }
    if !passthrough.overriddenDevices.isEmpty { parts.append("overrides of \(passthrough.overriddenDevices.joined(separator: ", "))") }
    if !passthrough.otherElements.isEmpty { parts.append("qemu:\(passthrough.otherElements.joined(separator: ", qemu:"))") }
    let rule = policy?.reference ?? RuleReference(path: context.prefix + "qemu.passthrough (built-in: deny)", location: nil)
    return [
      context.finding(
        .qemuPassthrough, subject: .passthrough,
        message: "QEMU passthrough bypasses the device policy: " + parts.joined(separator: "; "),
        attribute: passthrough.arguments.first.map { "arg=\($0)" }, rule: rule,
        action: policy?.action ?? context.defaultAction)
    ]
  }
}
