internal import CLibvirt

/// The security label libvirt reports for a domain's QEMU process (`virDomainGetSecurityLabel`).
public struct SecurityLabel: Hashable, Sendable {
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

  init(_ raw: UnsafePointer<virSecurityLabel>) {
    self.init(
      label: String(cString: kvmpolicy_seclabel_label(raw)),
      enforcing: kvmpolicy_seclabel_enforcing(raw) != 0)
  }
}
