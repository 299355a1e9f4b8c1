/// The security label of a running domain's QEMU process, as libvirt reports it
/// (`virDomainGetSecurityLabelList`): an SELinux context, an AppArmor profile, or DAC's
/// `+uid:+gid`.
public struct ProcessLabel: Hashable, Sendable {
  /// The label, e.g. `system_u:system_r:svirt_t:s0:c1,c2` or `+64055:+64055`; empty when the
  /// domain is not running or the driver applies none.
  public let label: String
  /// Whether the security driver enforces it (SELinux enforcing, AppArmor enforce mode).
  public let enforcing: Bool

  /// Creates a label.
  public init(label: String, enforcing: Bool) {
    self.label = label
    self.enforcing = enforcing
  }
}
