internal import CLibvirt
import DomainModel

extension ProcessLabel {
  /// Copies a label libvirt filled in (`virDomainGetSecurityLabel`).
  init(_ raw: UnsafePointer<virSecurityLabel>) {
    self.init(
      label: String(cString: kvmpolicy_seclabel_label(raw)),
      enforcing: kvmpolicy_seclabel_enforcing(raw) != 0)
  }
}
