import DomainModel
import Policy

/// Judges the files `<os>` names (kernel, initrd, dtb, loader, nvram and its template): QEMU
/// opens them as root-owned libvirt passes them, so `/root/.ssh/id_rsa` as a kernel is read into
/// the guest. A path climbing with `..` is always a finding; with a `boot` section, every file
/// must be accepted there for its element.
enum BootCheck {
  static func findings(_ context: Engine.Context) -> [Finding] {
    let files = context.domain.bootFiles
    guard !files.isEmpty else { return [] }
    var findings: [Finding] = []
    let policy = context.ruleset.boot
    let action = policy?.action ?? context.defaultAction
    for file in files {
      if LexicalPath.climbs(file.path) {
        let rule = RuleReference(path: context.prefix + "boot (built-in: no '..' in paths)", location: nil)
        findings.append(
          context.finding(
            .pathTraversal, subject: .boot(file.element),
            message: "<\(file.element)> names \(file.path), which climbs back with '..' (it leads to \(LexicalPath.normalized(file.path)))",
            attribute: "\(file.element)=\(file.path)", rule: rule, action: action))
      }
      guard let policy else { continue }
      let path = LexicalPath.normalized(file.path)
      guard let accepted = policy.accepted.first(where: { $0.attribute == file.element }) else {
        findings.append(
          context.finding(
            .bootFile, subject: .boot(file.element),
            message: "<\(file.element)> \(file.path) is not allowed: \(policy.reference.path) accepts no \(file.element)",
            attribute: "\(file.element)=\(file.path)", rule: policy.reference, action: action))
        continue
      }
      if !accepted.matcher.matches([path]) {
        findings.append(
          context.finding(
            .bootFile, subject: .boot(file.element),
            message: "<\(file.element)> \(file.path) is not an accepted \(file.element): \(policy.reference.path).\(file.element) accepts \(accepted.matcher)",
            attribute: "\(file.element)=\(file.path)",
            rule: RuleReference(path: policy.reference.path + "." + file.element, location: accepted.location), action: action))
      }
    }
    return findings
  }
}
