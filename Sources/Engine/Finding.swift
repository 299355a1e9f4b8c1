public import DomainModel
public import Policy

/// One way a domain breaks the policy: a value with a stable ID, what it is about, the rule that
/// decided, and what enforcement should do.
public struct Finding: Hashable, Sendable {
  /// How serious the finding is.
  public enum Severity: String, Sendable, Comparable {
    /// Covered by a waiver in force: shown, never acted on, counted apart.
    case waived
    /// Reported only (`action: warn`).
    case warning
    /// A violation: `refuse`, `detach` or `rewrite`.
    case error

    /// Orders `waived` before `warning` before `error`.
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
      switch self {
      case .waived: 0
      case .warning: 1
      case .error: 2
      }
    }
  }

  /// What the finding is about.
  public enum Subject: Hashable, Sendable {
    /// A device, with enough to find it again (alias, address, index).
    case device(DeviceReference)
    /// The domain's sVirt labels.
    case seclabel
    /// The domain's QEMU passthrough.
    case passthrough
    /// A file `<os>` names: its element (`kernel`, `loader`, ...).
    case boot(String)
  }

  /// A stable identifier: the same violation gets the same ID in every run and format.
  public let id: String
  /// The domain's name.
  public let domain: String
  /// The domain's UUID, if known.
  public let domainUUID: String?
  /// What was checked.
  public let check: Check
  /// What the finding is about.
  public let subject: Subject
  /// One sentence for the operator.
  public let message: String
  /// The attribute that broke the rule, as `name=value` (e.g. `bus=ide`), if one did.
  public let attribute: String?
  /// The rule or default that decided.
  public let rule: RuleReference
  /// What enforcement does about it.
  public let action: Action
  /// Attributes a `rewrite` sets instead of removing the device.
  public let assignments: [Assignment]
  /// The waiver that covers the finding, in force or expired, if any (see ``AppliedWaiver``).
  public internal(set) var waiver: AppliedWaiver? = nil

  /// Waived when a waiver in force covers it; otherwise warning for `warn`, error for the rest.
  public var severity: Severity {
    if let waiver, !waiver.expired { return .waived }
    return action == .warn ? .warning : .error
  }

  /// Whether a waiver in force covers the finding: then nothing acts on it.
  public var isWaived: Bool { waiver.map { !$0.expired } ?? false }

  /// The device the finding is about, if any.
  public var device: DeviceReference? {
    if case .device(let device) = subject { return device }
    return nil
  }
}

/// What identifies a device in a finding: class, position, alias, address, line.
public struct DeviceReference: Hashable, Sendable, CustomStringConvertible {
  /// The device class name.
  public let deviceClass: String
  /// The index among `<devices>` children.
  public let index: Int
  /// libvirt's alias, if any.
  public let alias: String?
  /// The guest address, e.g. `pci 0000:00:03.0` (spelled when asked for).
  public var address: String? { guestAddress?.description }
  private let guestAddress: DeviceAddress?
  /// The 1-based line in the XML it was read from.
  public let line: Int
  /// The type or model that names it best, e.g. `ich9`.
  public let kind: String?

  /// Describes a device from the domain model.
  public init(_ device: Device) {
    self.init(device, kind: device.kind)
  }

  /// Describes a device whose ``kind`` the caller already read.
  init(_ device: Device, kind: String?) {
    deviceClass = device.deviceClass.name
    index = device.index
    alias = device.alias
    guestAddress = device.address
    line = device.line
    self.kind = kind
  }

  /// `sound ich9 (alias sound0, pci 0000:00:1b.0)`.
  public var description: String {
    var text = deviceClass
    if let kind { text += " " + kind }
    let where_ = [alias.map { "alias \($0)" }, address].compactMap { $0 }
    if !where_.isEmpty { text += " (" + where_.joined(separator: ", ") + ")" }
    return text
  }
}

/// What the engine checks; the raw value is the stable check ID.
public enum Check: String, Sendable, CaseIterable {
  /// A device matched a deny rule.
  case deviceDenied = "device-denied"
  /// A device's class is denied (`class: deny`, or not listed and `defaults.devices: deny`).
  case classDenied = "class-denied"
  /// A device matched none of its class's allow rules.
  case deviceNotAllowed = "device-not-allowed"
  /// `<seclabel type='none'>`: sVirt switched off.
  case seclabelNone = "seclabel-none"
  /// A seclabel names a model the policy does not accept.
  case seclabelModel = "seclabel-model"
  /// A running domain has no label of an accepted model (DAC alone is not sVirt).
  case seclabelUnconfined = "seclabel-unconfined"
  /// The label type is not the required one (e.g. static instead of dynamic).
  case seclabelType = "seclabel-type"
  /// `relabel='no'` where relabelling is required.
  case seclabelRelabel = "seclabel-relabel"
  /// Two running domains share one label.
  case seclabelShared = "seclabel-shared"
  /// `<qemu:commandline>` and its kin are present but denied.
  case qemuPassthrough = "qemu-passthrough"
  /// A device names an absolute path with a `..` component: it leads elsewhere than it reads.
  case pathTraversal = "path-traversal"
  /// `<os>` names a kernel, initrd, dtb, loader or nvram file the policy's `boot` does not accept.
  case bootFile = "boot-file"
}

extension Finding {
  /// What makes two findings the same violation, whichever XML they came from: the check, the
  /// device's class and kind, the attribute and the rule. A running domain's live XML and its
  /// definition differ in aliases, addresses and so in messages; `check` and `enforce` both use
  /// this to report a definition finding only when it does not repeat a live one.
  public var violationKey: String {
    let device = device.map { "\($0.deviceClass)|\($0.kind ?? "")" } ?? ""
    return "\(check.rawValue)|\(device)|\(attribute ?? "")|\(rule.path)"
  }
}
