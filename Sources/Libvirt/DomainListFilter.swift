internal import CLibvirt

/// Which domains a listing returns (`virConnectListAllDomains` flags).
public enum DomainListFilter: Sendable, CaseIterable {
  /// Every domain, running or defined.
  case all
  /// Domains with a QEMU process.
  case active
  /// Domains with a persistent definition.
  case persistent
  /// Running domains.
  case running
  /// Paused domains.
  case paused

  var flags: UInt32 {
    switch self {
    case .all: 0
    case .active: VIR_CONNECT_LIST_DOMAINS_ACTIVE.rawValue
    case .persistent: VIR_CONNECT_LIST_DOMAINS_PERSISTENT.rawValue
    case .running: VIR_CONNECT_LIST_DOMAINS_RUNNING.rawValue
    case .paused: VIR_CONNECT_LIST_DOMAINS_PAUSED.rawValue
    }
  }
}
