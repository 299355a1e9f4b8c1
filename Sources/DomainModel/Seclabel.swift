/// A domain-level `<seclabel>` element: how sVirt should (or did) confine the guest.
///
/// In an inactive definition it is what the operator asked for; in live XML libvirt fills in
/// the generated `label` and `imagelabel`.
public struct Seclabel: Hashable, Sendable {
  /// `dynamic`, `static` or `none` (libvirt's default is `dynamic`).
  public let type: String?
  /// The security driver: `selinux`, `apparmor`, `dac`, or `nil` for the host's primary one.
  public let model: String?
  /// `yes` or `no`: whether libvirt relabels the guest's resources.
  public let relabel: String?
  /// The process label, e.g. `system_u:system_r:svirt_t:s0:c1,c2` or `libvirt-<uuid>`.
  public let label: String?
  /// The label of the guest's image files.
  public let imagelabel: String?
  /// The base label a dynamic label is generated from.
  public let baselabel: String?
  /// The 1-based source line of the element.
  public let line: Int

  /// Creates a seclabel; normally done by ``DomainDocument``.
  public init(
    type: String?, model: String?, relabel: String?, label: String?, imagelabel: String?,
    baselabel: String?, line: Int
  ) {
    self.type = type
    self.model = model
    self.relabel = relabel
    self.label = label
    self.imagelabel = imagelabel
    self.baselabel = baselabel
    self.line = line
  }
}

extension Seclabel {
  init<Element: ElementView>(_ element: Element) {
    let text = { (name: String) in element.child(name).map(\.trimmedText) }
    self.init(
      type: element.attribute("type"), model: element.attribute("model"),
      relabel: element.attribute("relabel"), label: text("label"), imagelabel: text("imagelabel"),
      baselabel: text("baselabel"), line: element.line)
  }
}
