internal import CLibvirt

/// A domain's run state (`virDomainState`), spelled as `virsh domstate` does.
public enum DomainState: String, Sendable, CaseIterable {
  case noState = "no state"
  case running = "running"
  case blocked = "idle"
  case paused = "paused"
  case shuttingDown = "in shutdown"
  case shutOff = "shut off"
  case crashed = "crashed"
  case suspended = "pmsuspended"

  /// Maps libvirt's raw state; unknown future values read as ``noState``.
  init(raw: Int32) {
    switch UInt32(bitPattern: raw) {
    case VIR_DOMAIN_RUNNING.rawValue: self = .running
    case VIR_DOMAIN_BLOCKED.rawValue: self = .blocked
    case VIR_DOMAIN_PAUSED.rawValue: self = .paused
    case VIR_DOMAIN_SHUTDOWN.rawValue: self = .shuttingDown
    case VIR_DOMAIN_SHUTOFF.rawValue: self = .shutOff
    case VIR_DOMAIN_CRASHED.rawValue: self = .crashed
    case VIR_DOMAIN_PMSUSPENDED.rawValue: self = .suspended
    default: self = .noState
    }
  }
}
