internal import CLibvirt
import DomainModel

extension RunState {
  /// Maps libvirt's raw `virDomainState`; unknown future values read as ``RunState/noState``.
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
