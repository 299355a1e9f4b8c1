/// One check of the host against the hardening guide, with what was read to decide it.
public struct HostCheck: Equatable, Sendable {
  /// The verdict.
  public enum Status: String, Sendable, Comparable {
    /// The host does what the guide asks.
    case pass = "PASS"
    /// Worth a look, but not a failure (e.g. SELinux permissive).
    case warn = "WARN"
    /// The host does not do what the guide asks.
    case fail = "FAIL"
    /// Could not be decided (missing privileges or information); never a guess.
    case unknown = "UNKNOWN"

    private var rank: Int {
      switch self {
      case .pass: 0
      case .unknown: 1
      case .warn: 2
      case .fail: 3
      }
    }

    /// Orders by seriousness: pass < unknown < warn < fail.
    public static func < (lhs: Status, rhs: Status) -> Bool { lhs.rank < rhs.rank }
  }

  /// A stable identifier, e.g. `kaslr-effective`.
  public let id: String
  /// The hardening guide's section: `sVirt`, `QEMU processes`, `Binary hardening`,
  /// `Kernel ASLR`, `KVM host`, `Minimal devices`, `Pre-start hook`.
  public let section: String
  /// What is checked, in a few words.
  public let title: String
  /// The verdict.
  public let status: Status
  /// What was read: `file: value` lines an operator can verify.
  public let evidence: [String]
  /// What was read, as typed values a fleet tool can compare (JSON `properties`), e.g.
  /// checksec's `relro: "full"` for an ELF file or `value: 2` for a sysctl.
  public let properties: [String: HostValue]

  /// Creates a check result.
  public init(id: String, section: String, title: String, status: Status, evidence: [String], properties: [String: HostValue] = [:]) {
    self.id = id
    self.section = section
    self.title = title
    self.status = status
    self.evidence = evidence
    self.properties = properties
  }
}

/// A typed value read by a host check.
public enum HostValue: Equatable, Sendable {
  /// A yes/no fact (`nx: true`).
  case bool(Bool)
  /// A number (`uid: 999`, a sysctl's value).
  case int(Int)
  /// A word or a path (`relro: "full"`).
  case string(String)
  /// Several words (capability names, the namespaces a process has).
  case strings([String])
}
