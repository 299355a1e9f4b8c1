/// What a check is for, and examples that show it: the examples double as tests
/// (`Tests/EngineTests/GeneratedCheckTests.swift` runs every one).
public struct CheckDescription: Sendable {
  /// One example: a policy, and a domain that passes or fails the check under it.
  public struct Example: Sendable {
    /// Policy text (a complete policy).
    public let policy: String
    /// Domain XML (a complete `<domain>`).
    public let domain: String
    /// Whether the domain must produce a finding of this check.
    public let violates: Bool
    /// Other domains judged together with it (checks across domains, such as shared labels).
    public let others: [String]

    /// Creates an example.
    public init(policy: String, domain: String, violates: Bool, others: [String] = []) {
      self.policy = policy
      self.domain = domain
      self.violates = violates
      self.others = others
    }
  }

  /// The check.
  public let check: Check
  /// A short title.
  public let name: String
  /// Why the hardening guide wants it.
  public let rationale: String
  /// Examples that must not produce the finding.
  public let compliant: [Example]
  /// Examples that must produce it.
  public let violating: [Example]
}

extension Check {
  /// The check's self-description, with examples.
  public var documentation: CheckDescription {
    switch self {
    case .deviceDenied:
      CheckDescription(
        check: self, name: "Device matches a deny rule",
        rationale: "Some device variants are known to be risky (emulated NICs, USB input on servers); a deny rule names them.",
        compliant: [Self.example(devices: "<interface type='network'><model type='virtio'/></interface>", rules: Self.nicRules, violates: false)],
        violating: [Self.example(devices: "<interface type='network'><model type='e1000'/></interface>", rules: Self.nicRules, violates: true)])
    case .classDenied:
      CheckDescription(
        check: self, name: "Device class not allowed",
        rationale: "Minimal devices: every class a VM does not need (sound, smartcards, USB redirection) is attack surface in QEMU.",
        compliant: [Self.example(devices: "<memballoon model='virtio'/>", rules: "memballoon: allow\n  sound: deny", violates: false)],
        violating: [
          Self.example(devices: "<sound model='ich9'/>", rules: "memballoon: allow\n  sound: deny", violates: true),
          Self.example(devices: "<watchdog model='i6300esb'/>", rules: "memballoon: allow", violates: true),
        ])
    case .deviceNotAllowed:
      CheckDescription(
        check: self, name: "Device matches no allow rule",
        rationale: "An allowlist names the only acceptable variants of a class, e.g. virtio disks only.",
        compliant: [Self.example(devices: "<disk type='file' device='disk'><target dev='vda' bus='virtio'/></disk>", rules: Self.diskRules, violates: false)],
        violating: [Self.example(devices: "<disk type='file' device='disk'><target dev='hda' bus='ide'/></disk>", rules: Self.diskRules, violates: true)])
    case .seclabelNone:
      CheckDescription(
        check: self, name: "sVirt switched off",
        rationale: "sVirt confines each QEMU process with SELinux or AppArmor; type='none' removes that wall.",
        compliant: [Self.example(seclabel: "<seclabel type='dynamic' model='selinux' relabel='yes'/>", violates: false)],
        violating: [Self.example(seclabel: "<seclabel type='none'/>", violates: true)])
    case .seclabelModel:
      CheckDescription(
        check: self, name: "Unaccepted security model",
        rationale: "Only the MAC models the policy names count as sVirt confinement.",
        compliant: [Self.example(seclabel: "<seclabel type='dynamic' model='apparmor' relabel='yes'/>", violates: false)],
        violating: [Self.example(seclabel: "<seclabel type='dynamic' model='smack' relabel='yes'/>", violates: true)])
    case .seclabelUnconfined:
      CheckDescription(
        check: self, name: "Running VM not confined by sVirt",
        rationale: "DAC alone is not sVirt: every VM runs as the same uid:gid, so one compromised QEMU can reach the others.",
        compliant: [
          Self.example(
            seclabel: "<seclabel type='dynamic' model='selinux' relabel='yes'><label>system_u:system_r:svirt_t:s0:c1,c2</label></seclabel>",
            live: true, violates: false)
        ],
        violating: [
          Self.example(
            seclabel: "<seclabel type='dynamic' model='dac' relabel='yes'><label>+64055:+64055</label></seclabel>", live: true,
            violates: true)
        ])
    case .seclabelType:
      CheckDescription(
        check: self, name: "Label type is not the required one",
        rationale: "Dynamic labels give each VM a unique MCS category pair; static labels can collide.",
        compliant: [Self.example(seclabel: "<seclabel type='dynamic' model='selinux' relabel='yes'/>", violates: false)],
        violating: [
          Self.example(
            seclabel: "<seclabel type='static' model='selinux' relabel='yes'><label>system_u:system_r:svirt_t:s0:c1,c2</label></seclabel>",
            violates: true)
        ])
    case .seclabelRelabel:
      CheckDescription(
        check: self, name: "Relabelling disabled",
        rationale: "Without relabelling the VM's images keep labels other VMs may also be allowed to use.",
        compliant: [Self.example(seclabel: "<seclabel type='dynamic' model='selinux' relabel='yes'/>", violates: false)],
        violating: [
          Self.example(seclabel: "<seclabel type='dynamic' model='selinux' relabel='no'/>", violates: true),
          // Per device: a disk that keeps its own file unlabelled.
          Self.example(
            seclabel: "<seclabel type='dynamic' model='selinux' relabel='yes'/>",
            devices: "<disk type='file' device='disk'><source file='/var/lib/libvirt/images/a.img'><seclabel model='selinux' relabel='no'/></source><target dev='vda' bus='virtio'/></disk>",
            violates: true),
        ])
    case .seclabelShared:
      CheckDescription(
        check: self, name: "Label shared between running VMs",
        rationale: "Each VM must have its own label, or sVirt cannot keep them apart (checked across all domains).",
        compliant: [
          Self.sharedExample(label: "s0:c1,c2", other: "s0:c3,c4", otherRunning: true, violates: false),
          // A shut-off domain's label is not in use: only running ones can collide.
          Self.sharedExample(label: "s0:c1,c2", other: "s0:c1,c2", otherRunning: false, violates: false),
        ],
        violating: [Self.sharedExample(label: "s0:c1,c2", other: "s0:c1,c2", otherRunning: true, violates: true)])
    case .qemuPassthrough:
      CheckDescription(
        check: self, name: "QEMU passthrough",
        rationale: "<qemu:commandline> adds arbitrary QEMU devices and options past libvirt and this policy.",
        compliant: [Self.example(devices: "", rules: "emulator: allow", violates: false)],
        violating: [
          Self.example(
            devices: "", rules: "emulator: allow",
            extra: "<qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><qemu:arg value='-device'/><qemu:arg value='pci-testdev'/></qemu:commandline>",
            violates: true)
        ])
    case .bootFile:
      CheckDescription(
        check: self, name: "Boot file not accepted",
        rationale: "QEMU reads <os> kernels, initrds, DTBs and firmware as libvirt passes them: any file root can read can be booted into a guest.",
        compliant: [Self.bootExample(kernel: "/var/lib/libvirt/boot/vmlinuz", violates: false)],
        violating: [
          Self.bootExample(kernel: "/root/.ssh/id_rsa", violates: true),
          Self.bootExample(kernel: "/var/lib/libvirt/boot/../../../../root/.ssh/id_rsa", violates: true),
        ])
    case .pathTraversal:
      CheckDescription(
        check: self, name: "Path climbs with '..'",
        rationale: "libvirt hands paths to QEMU as written: images/../../../../etc/shadow opens /etc/shadow past a rule written for the images directory.",
        compliant: [Self.example(devices: Self.disk("/var/lib/libvirt/images/vm.qcow2"), rules: Self.imageRules, violates: false)],
        violating: [Self.example(devices: Self.disk("/var/lib/libvirt/images/../../../../etc/shadow"), rules: Self.imageRules, violates: true)])
    }
  }

  private static func bootExample(kernel: String, violates: Bool) -> CheckDescription.Example {
    CheckDescription.Example(
      policy: "version: 1\ndefaults:\n  devices: allow\nboot:\n  kernel: \"/var/lib/libvirt/boot/*\"\n",
      domain: "<domain type='kvm'><name>example</name><os><type>hvm</type><kernel>\(kernel)</kernel></os><devices/></domain>",
      violates: violates)
  }

  private static let imageRules = """
    disk:
        allow:
          - source: "/var/lib/libvirt/images/*"
    """
  private static func disk(_ source: String) -> String {
    "<disk type='file' device='disk'><source file='\(source)'/><target dev='vda' bus='virtio'/></disk>"
  }

  private static let nicRules = """
    interface:
        allow:
          - model: virtio
        deny:
          - model: [e1000, rtl8139]
    """
  private static let diskRules = """
    disk:
        allow:
          - bus: [virtio, scsi]
    """

  private static func example(devices: String, rules: String, extra: String = "", violates: Bool) -> CheckDescription.Example {
    CheckDescription.Example(
      policy: "version: 1\ndevices:\n  \(rules)\n",
      domain: "<domain type='kvm'><name>example</name><devices>\(devices)</devices>\(extra)</domain>", violates: violates)
  }

  private static func sharedExample(label: String, other: String, otherRunning: Bool, violates: Bool) -> CheckDescription.Example {
    func vm(_ name: String, _ label: String, running: Bool) -> String {
      "<domain type='kvm'\(running ? " id='1'" : "")><name>\(name)</name>"
        + "<seclabel type='dynamic' model='selinux' relabel='yes'><label>\(label)</label></seclabel></domain>"
    }
    return CheckDescription.Example(
      policy: "version: 1\ndefaults:\n  devices: allow\nseclabel:\n  models: [selinux]\n  unique: yes\n",
      domain: vm("example", label, running: true), violates: violates, others: [vm("other", other, running: otherRunning)])
  }

  private static func example(seclabel: String, devices: String = "", live: Bool = false, violates: Bool) -> CheckDescription.Example {
    CheckDescription.Example(
      policy: "version: 1\ndefaults:\n  devices: allow\nseclabel:\n  models: [selinux, apparmor]\n",
      domain: "<domain type='kvm'\(live ? " id='7'" : "")><name>example</name><devices>\(devices)</devices>\(seclabel)</domain>",
      violates: violates)
  }
}
