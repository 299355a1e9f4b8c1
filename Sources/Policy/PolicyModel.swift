/// What to do about a violation.
public enum Action: String, Sendable, CaseIterable, Comparable {
  /// Report only.
  case warn
  /// Change the persistent definition: remove the device, or set attributes (`set:`).
  case rewrite
  /// Remove the device from the running domain.
  case detach
  /// Refuse to start the domain (the hook fails `prepare`).
  case refuse

  /// Orders by strength: `warn < rewrite < detach < refuse`.
  public static func < (lhs: Action, rhs: Action) -> Bool { lhs.strength < rhs.strength }

  private var strength: Int {
    switch self {
    case .warn: 0
    case .rewrite: 1
    case .detach: 2
    case .refuse: 3
    }
  }
}

/// Where a policy decision comes from, for `--explain` and for every finding.
public struct RuleReference: Hashable, Sendable, CustomStringConvertible {
  /// A path naming the rule, e.g. `devices.disk.allow[1]` or `overrides[gpu].devices.hostdev.allow[0]`.
  public let path: String
  /// Where it is written, or `nil` for a built-in default.
  public let location: SourceLocation?

  /// Creates a reference.
  public init(path: String, location: SourceLocation?) {
    self.path = path
    self.location = location
  }

  /// `path (file:line:col)`, or the path alone for built-in defaults.
  public var description: String { location.map { "\(path) (\($0))" } ?? path }
}

/// The values an attribute condition accepts: exact strings, globs, or absence (`~`).
public struct ValueMatcher: Hashable, Sendable, CustomStringConvertible {
  /// One accepted value.
  public enum Alternative: Hashable, Sendable {
    /// Exactly this text.
    case exact(String)
    /// Any text the pattern matches.
    case glob(Glob)
    /// The attribute is not present.
    case absent
  }

  /// The accepted alternatives (one of them must match).
  public let alternatives: [Alternative]

  /// Creates a matcher.
  public init(_ alternatives: [Alternative]) {
    self.alternatives = alternatives
  }

  /// Whether `values` (all values of one attribute) satisfy the matcher: none present and `~`
  /// accepted, or every present value matching one alternative.
  public func matches(_ values: [String]) -> Bool {
    if values.isEmpty { return alternatives.contains(.absent) }
    return values.allSatisfy { value in
      alternatives.contains { alternative in
        switch alternative {
        case .exact(let text): text.utf8.elementsEqual(value.utf8)  // as libvirt compares: bytes
        case .glob(let glob): glob.matches(value)
        case .absent: false
        }
      }
    }
  }

  /// The alternatives as a policy would spell them: `virtio`, `[virtio, scsi]`.
  public var description: String {
    let parts = alternatives.map { alternative -> String in
      switch alternative {
      case .exact(let text): text
      case .glob(let glob): glob.pattern
      case .absent: "~"
      }
    }
    return parts.count == 1 ? parts[0] : "[" + parts.joined(separator: ", ") + "]"
  }
}

/// One `attribute: values` condition of a rule.
public struct Condition: Hashable, Sendable {
  /// A canonical attribute (`bus`) or a raw XML path (`target/@bus`).
  public let attribute: String
  /// The accepted values.
  public let matcher: ValueMatcher
  /// Where the condition is written.
  public let location: SourceLocation
}

/// An allow or deny rule: conditions that must all hold, and what to do.
public struct DeviceRule: Hashable, Sendable {
  /// Every condition must hold for the rule to match.
  public let conditions: [Condition]
  /// The rule's own action (deny rules), overriding the class's.
  public let action: Action?
  /// Attributes a `rewrite` sets instead of removing the device.
  public let set: [Assignment]
  /// Why the rule exists, shown in reports.
  public let why: String?
  /// Where the rule is and what it is called.
  public let reference: RuleReference

  /// Whether every condition holds for a device, given how to read an attribute's values.
  public func matches(_ values: (String) -> [String]) -> Bool {
    conditions.allSatisfy { $0.matcher.matches(values($0.attribute)) }
  }
}

/// `attribute: value` that a rewrite writes into the definition.
public struct Assignment: Hashable, Sendable {
  /// A canonical attribute or raw path.
  public let attribute: String
  /// The value to write.
  public let value: String

  /// Creates an assignment.
  public init(attribute: String, value: String) {
    self.attribute = attribute
    self.value = value
  }
}

/// What a policy says about one device class.
public struct ClassPolicy: Hashable, Sendable {
  /// `allow: all` (or `class: allow`): every device of the class is allowed unless a deny rule matches.
  public let allowsAll: Bool
  /// A device matching one of these is allowed (after deny rules).
  public let allow: [DeviceRule]
  /// A device matching one of these is a violation, checked first.
  public let deny: [DeviceRule]
  /// The action for this class's violations.
  public let action: Action?
  /// Where the class entry is written.
  public let reference: RuleReference
}

/// sVirt requirements on a domain's `<seclabel>`s.
public struct SeclabelPolicy: Hashable, Sendable {
  /// The security models that count as sVirt confinement (never `dac`).
  public let models: [String]
  /// The required label type: `dynamic`, `static`, or `nil` for either.
  public let type: String?
  /// Whether `relabel='yes'` is required.
  public let relabel: Bool
  /// Whether no two running domains may share a label.
  public let unique: Bool
  /// The action for seclabel violations.
  public let action: Action?
  /// Where the section is written.
  public let reference: RuleReference
}

/// Whether `<qemu:commandline>` and its kin are allowed.
public struct PassthroughPolicy: Hashable, Sendable {
  /// `passthrough: allow`.
  public let allowed: Bool
  /// The action when it is present but denied.
  public let action: Action?
  /// Where the section is written.
  public let reference: RuleReference
}

/// The `boot` section: which files `<os>` may name (kernel, initrd, dtb, loader, nvram and its
/// template). Each listed element accepts only the paths given; an element not listed accepts
/// none. Without the section, boot files are not judged (beyond `path-traversal`).
public struct BootPolicy: Hashable, Sendable {
  /// Per element (`kernel`, `loader`, ...), the accepted paths.
  public let accepted: [Condition]
  /// The action for a boot file that is not accepted.
  public let action: Action?
  /// Where the section is written.
  public let reference: RuleReference

  /// Creates the section.
  public init(accepted: [Condition], action: Action?, reference: RuleReference) {
    self.accepted = accepted
    self.action = action
    self.reference = reference
  }
}

/// Everything a policy (or an override) says, before overlaying.
public struct Ruleset: Hashable, Sendable {
  /// `defaults.action`.
  public var defaultAction: Action?
  /// `defaults.devices`: whether classes the policy does not list are allowed (`nil`: not said).
  public var unlistedClassesAllowed: Bool?
  /// Where `defaults.devices` is written.
  public var unlistedReference: RuleReference?
  /// Per class, by class name.
  public var classes: [String: ClassPolicy]
  /// The sVirt section.
  public var seclabel: SeclabelPolicy?
  /// The QEMU passthrough section.
  public var passthrough: PassthroughPolicy?
  /// The boot files section.
  public var boot: BootPolicy?
  /// `defaults.detach-timeout`: what `watch` does when a running domain never releases a device
  /// it was asked to detach (`nil`: not said; `report` is the built-in).
  public var detachTimeout: DetachTimeoutAction?

  /// An empty ruleset.
  public init() {
    classes = [:]
  }

  /// This ruleset with `other`'s statements laid on top (class by class, section by section).
  public func overlaid(with other: Ruleset) -> Ruleset {
    var result = self
    if let action = other.defaultAction { result.defaultAction = action }
    if let allowed = other.unlistedClassesAllowed {
      result.unlistedClassesAllowed = allowed
      result.unlistedReference = other.unlistedReference
    }
    result.classes.merge(other.classes) { $1 }
    if let seclabel = other.seclabel { result.seclabel = seclabel }
    if let passthrough = other.passthrough { result.passthrough = passthrough }
    if let detachTimeout = other.detachTimeout { result.detachTimeout = detachTimeout }
    if let boot = other.boot { result.boot = boot }
    return result
  }
}

/// What happens when a guest never releases a device it was asked to detach.
public enum DetachTimeoutAction: String, Sendable, CaseIterable {
  /// Log it and keep it pending no more: the device stays until the next event or sweep.
  case report
  /// Log it and ask the guest to shut down.
  case shutdown
}

/// Which domains an override applies to: every given criterion must hold.
public struct DomainSelector: Hashable, Sendable {
  /// Name patterns (one must match), empty for any name.
  public let names: [Glob]
  /// UUIDs (lower case; one must match), empty for any.
  public let uuids: [String]
  /// `<kvmpolicy:tag>` values under `<metadata>` (one must be present), empty for any.
  public let tags: [String]

  /// Creates a selector; UUIDs in lower case. With no criterion it selects every domain.
  public init(names: [Glob] = [], uuids: [String] = [], tags: [String] = []) {
    self.names = names
    self.uuids = uuids
    self.tags = tags
  }

  /// Whether no criterion is given.
  public var isEmpty: Bool { names.isEmpty && uuids.isEmpty && tags.isEmpty }

  /// How specific the selector is: a UUID beats an exact name beats a tag beats a name pattern.
  public var specificity: Int {
    var score = 0
    if !uuids.isEmpty { score += 8 }
    if names.contains(where: { !Glob.isPattern($0.pattern) }) { score += 4 } else if !names.isEmpty { score += 1 }
    if !tags.isEmpty { score += 2 }
    return score
  }

  /// Whether a domain with this name, UUID and tags is selected.
  public func selects(name: String, uuid: String?, tags domainTags: [String]) -> Bool {
    if !names.isEmpty && !names.contains(where: { $0.matches(name) }) { return false }
    if !uuids.isEmpty && !uuids.contains(uuid?.lowercased() ?? "") { return false }
    if !tags.isEmpty && !tags.contains(where: domainTags.contains) { return false }
    return true
  }
}

/// Rules for a group of domains, laid over the base policy.
public struct Override: Hashable, Sendable {
  /// The override's name, used in references.
  public let name: String
  /// Which domains it applies to.
  public let selector: DomainSelector
  /// What it says.
  public let ruleset: Ruleset
  /// Where it is written.
  public let location: SourceLocation
}

/// A checked policy: the base ruleset and its overrides.
public struct Policy: Hashable, Sendable {
  /// The policy file.
  public let file: String
  /// `description:`, if any.
  public let description: String?
  /// Rules for every domain.
  public let base: Ruleset
  /// Rules for groups of domains, in file order.
  public let overrides: [Override]
  /// Accepted exceptions, in file order (a finding takes the first that covers it).
  public let waivers: [Waiver]
  /// The 64-bit FNV-1a hash of the source text it was read from (``CompiledPolicy/hash(_:)``),
  /// 0 for a policy built in code.
  public internal(set) var sourceHash: UInt64

  /// Creates a policy.
  public init(
    file: String, description: String?, base: Ruleset, overrides: [Override], waivers: [Waiver] = [], sourceHash: UInt64 = 0
  ) {
    self.file = file
    self.description = description
    self.base = base
    self.overrides = overrides
    self.waivers = waivers
    self.sourceHash = sourceHash
  }

  /// Names the exact text the policy came from, as the hook and `kvmpolicy host` print it:
  /// `fnv1a64:` and 16 hex digits.
  public var fingerprint: String { Self.fingerprint(sourceHash) }

  /// The fingerprint of source text hashing to `hash`.
  public static func fingerprint(_ hash: UInt64) -> String {
    let digits = String(hash, radix: 16)
    return "fnv1a64:" + String(repeating: "0", count: 16 - digits.count) + digits
  }

  /// The override that applies to a domain: the most specific match, the first on a tie.
  public func override(forName name: String, uuid: String?, tags: [String]) -> Override? {
    var best: Override?
    for candidate in overrides where candidate.selector.selects(name: name, uuid: uuid, tags: tags) {
      if let current = best, current.selector.specificity >= candidate.selector.specificity { continue }
      best = candidate
    }
    return best
  }

  /// The waivers that cover a domain (its findings still have to match), in file order; none,
  /// at no cost, when the policy has no waivers.
  public func waivers(forName name: String, uuid: String?, tags: [String]) -> [Waiver] {
    guard !waivers.isEmpty else { return [] }
    return waivers.filter { $0.domains.selects(name: name, uuid: uuid, tags: tags) }
  }

  /// The rules in force for a domain and the override that shaped them.
  public func ruleset(forName name: String, uuid: String?, tags: [String]) -> (Ruleset, Override?) {
    guard let override = override(forName: name, uuid: uuid, tags: tags) else { return (base, nil) }
    return (base.overlaid(with: override.ruleset), override)
  }
}
