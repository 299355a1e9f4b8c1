/// What `/proc/PID/status` says about a process's identity and privileges: its uids and gids,
/// its seccomp mode, `no_new_privs`, and its effective and permitted capabilities.
public struct ProcessStatus: Sendable, Equatable {
  /// Real, effective, saved and filesystem uid (`Uid:`), empty when the line is missing.
  public let uids: [Int]
  /// Real, effective, saved and filesystem gid (`Gid:`), empty when the line is missing.
  public let gids: [Int]
  /// `Seccomp:`: 0 off, 1 strict, 2 filter; `nil` for a kernel without seccomp.
  public let seccomp: Int?
  /// `Seccomp_filters:`, the number of filters attached (Linux 5.9 and later).
  public let seccompFilters: Int?
  /// `NoNewPrivs:`: 1 when execve can grant no privileges (setuid, file capabilities).
  public let noNewPrivs: Int?
  /// `CapEff:`, the effective capability set.
  public let capEff: UInt64?
  /// `CapPrm:`, the permitted capability set.
  public let capPrm: UInt64?

  /// Parses the text of `/proc/PID/status`.
  public init(_ text: String) {
    var fields: [String: [Substring]] = [:]
    for line in text.split(separator: "\n") {
      guard let colon = line.firstIndex(of: ":") else { continue }
      fields[String(line[..<colon])] = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" })
    }
    let numbers = { (key: String) in (fields[key] ?? []).compactMap { Int($0) } }
    let number = { (key: String) in fields[key]?.first.flatMap { Int($0) } }
    let mask = { (key: String) in fields[key]?.first.flatMap { UInt64($0, radix: 16) } }
    uids = numbers("Uid")
    gids = numbers("Gid")
    seccomp = number("Seccomp")
    seccompFilters = number("Seccomp_filters")
    noNewPrivs = number("NoNewPrivs")
    capEff = mask("CapEff")
    capPrm = mask("CapPrm")
  }

  /// A capability mask as the kernel prints it: 16 hex digits.
  public static func hex(_ mask: UInt64) -> String {
    let digits = String(mask, radix: 16)
    return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
  }

  /// The names of the capabilities set in `mask` (`cap_sys_admin`), lowest bit first; a bit
  /// this table does not know is `cap_N`.
  public static func capabilityNames(_ mask: UInt64) -> [String] {
    (0..<64).filter { mask & (1 << UInt64($0)) != 0 }.map { $0 < capabilities.count ? "cap_\(capabilities[$0])" : "cap_\($0)" }
  }

  /// Linux's capabilities by number, 0 (`chown`) to 40 (`checkpoint_restore`).
  static let capabilities = [
    "chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid", "setpcap", "linux_immutable",
    "net_bind_service", "net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot",
    "sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time", "sys_tty_config", "mknod", "lease",
    "audit_write", "audit_control", "setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm", "block_suspend", "audit_read",
    "perfmon", "bpf", "checkpoint_restore",
  ]
}
