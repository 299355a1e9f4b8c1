import DomainModel
import Policy

/// A device that names an absolute path climbing back with `..` is a finding of its own,
/// whatever the path resolves to: libvirt and QEMU open it as written, and no honest
/// definition needs it.
enum PathCheck {
  static func finding(_ device: Device, _ context: Engine.Context) -> Finding? {
    // Scanned as bytes first, without allocating: almost no value has "/.." anywhere.
    guard let property = device.properties.first(where: { LexicalPath.mayClimb($0.value) && LexicalPath.climbs($0.value) })
    else { return nil }
    let className = device.deviceClass.name
    let reference = DeviceReference(device, kind: device.kind)
    let rule = RuleReference(path: context.prefix + "devices.\(className) (built-in: no '..' in paths)", location: nil)
    return context.finding(
      .pathTraversal, subject: .device(reference),
      message: "\(reference) names \(property.value), which climbs back with '..' (it leads to \(LexicalPath.normalized(property.value)))",
      attribute: "\(property.path)=\(property.value)", rule: rule,
      action: context.ruleset.classes[className]?.action ?? context.defaultAction)
  }
}
