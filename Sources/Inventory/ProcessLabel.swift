/// The security label of a running domain's QEMU process, as libvirt reports it
/// (`virDomainGetSecurityLabelList`): an SELinux context, an AppArmor profile, or DAC's
/// `+uid:+gid`.
public struct ProcessLabel: Hashable, Sendable {
  /// The label text.
  public let label: String
  /// Whether the security driver enforces it.
  public let enforcing: Bool

  /// Creates a label.
  public init(label: String, enforcing: Bool) {
    self.label = label
    self.enforcing = enforcing
  }
}
