import DomainModel
import Engine
public import HostAudit
import Hook
import HookInstallation
import Libvirt
import Policy

/// `hook-veto`: proves the installed hook guards VM starts by asking libvirt to start a canary
/// that the installed policy must refuse.
///
/// The canary is a transient TCG domain with no disk, named `kvmpolicy-probe-<random>`, started
/// paused, with one device (or setting) that the installed policy refuses: the first of
/// ``candidates`` that kvmpolicy's own engine refuses under that policy. PASS only if libvirt
/// refuses it with kvmpolicy's message naming the installed policy and its current text. A
/// canary that starts is destroyed at once (being transient, it leaves no definition) and the
/// check fails.
public struct HookProbe {
  /// The canary's name prefix.
  public static let prefix = "kvmpolicy-probe-"

  /// What the canary may carry, each something a TCG guest can run, in the order tried.
  public static let candidates: [(what: String, devices: String, domain: String)] = [
    ("a sound card", "<sound model='ich6'/>", ""),
    ("sVirt switched off", "", "<seclabel type='none'/>"),
    ("an emulated e1000 NIC", "<interface type='user'><model type='e1000'/></interface>", ""),
    ("a USB tablet", "<input type='tablet' bus='usb'/>", ""),
    ("a watchdog", "<watchdog model='i6300esb' action='reset'/>", ""),
    ("a serial console", "<serial type='pty'><target port='0'/></serial>", ""),
    ("a virtio RNG", "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>", ""),
  ]

  private let control: () throws -> DomainControl
  private let connection: String
  private let layout: HookLayout

  /// A probe of the hook installed below `root` (`/` on a real host), through libvirt at `uri`
  /// (read-write: root).
  public init(uri: String?, root: String = "/") {
    self.init(connection: "libvirt \(uri ?? "(default URI)")", root: root) { try LibvirtDomainControl(uri: uri) }
  }

  /// A probe through any ``DomainControl`` (a fake in tests), opened when the probe runs;
  /// `connection` names it in evidence.
  public init(connection: String, root: String = "/", control: @escaping () throws -> DomainControl) {
    self.control = control
    self.connection = connection
    layout = HookLayout(root: root)
  }

  /// The canary's XML for candidate `index`, named `name`.
  public static func canaryXML(name: String, candidate index: Int) -> String {
    let canary = candidates[index]
    return """
      <domain type='qemu'><name>\(name)</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
      <os><type arch='x86_64' machine='pc'>hvm</type></os>
      <devices>\(canary.devices)</devices>\(canary.domain)</domain>
      """
  }

  /// The first candidate `policy` refuses at start on `today`, with the finding that refuses it
  /// (a finding a waiver covers refuses nothing).
  public static func canary(for policy: Policy, name: String, today: PolicyDate) -> (index: Int, finding: Finding)? {
    for index in candidates.indices {
      guard let domain = try? Domain.parse(xml: canaryXML(name: name, candidate: index), source: name) else { continue }
      let evaluation = Engine.evaluate(domain, against: policy, labelsGenerated: false, decisions: false, today: today)
      if let refusal = evaluation.findings.first(where: { $0.action == .refuse && !$0.isWaived }) { return (index, refusal) }
    }
    return nil
  }

  /// Runs the probe; always returns a check, never leaves a domain behind.
  public func check() -> HostCheck {
    let id = "hook-veto"
    let title = "libvirt refuses a domain that breaks the installed policy (probe)"
    func result(_ status: HostCheck.Status, _ evidence: [String]) -> HostCheck {
      HostCheck(id: id, section: HookAudit.section, title: title, status: status, evidence: evidence)
    }
    let policyPath = layout.policy
    let policy: Policy
    switch PolicyLoader.load(path: policyPath, preferringCompiledWhere: { _ in false }) {
    case .failure(let errors):
      return result(.fail, ["\(HookRequest.defaultPolicyPath): unusable: \(errors.diagnostics.first?.description ?? "invalid")"])
    case .success(let loaded): policy = loaded.policy
    }
    var random = SystemRandomNumberGenerator()
    let name = Self.prefix + String(random.next() as UInt32, radix: 16)
    guard let (index, finding) = Self.canary(for: policy, name: name, today: PolicyDate.today()) else {
      return result(.unknown, [
        "\(HookRequest.defaultPolicyPath) (\(policy.fingerprint)) refuses none of the canaries (\(Self.candidates.map(\.what).joined(separator: ", "))): nothing to probe with"
      ])
    }
    let canary = Self.candidates[index]
    var evidence = ["canary \(name): \(canary.what), which the installed policy refuses: \(finding.message)"]
    let outcome: TransientStart
    do {
      outcome = try control().startTransient(Self.canaryXML(name: name, candidate: index))
    } catch {
      return result(.unknown, evidence + ["\(connection): \(Self.message(of: error)) (the probe needs root)"])
    }
    switch outcome {
    case .started:
      return result(.fail, evidence + [
        "libvirt started the canary (destroyed at once): the hook did not refuse it",
        "if the hook is installed, libvirtd has not looked it up: systemctl reload libvirtd (or kvmpolicy install-hook --reload)",
      ])
    case .refused(let message):
      guard let answer = Self.refusal(in: message, domain: name) else {
        return result(.unknown, evidence + ["libvirt refused the canary, but not with kvmpolicy's message: \(message)"])
      }
      evidence.append("libvirt refused it: kvmpolicy: refusing to start \(name): \(answer.summary)")
      let current = PolicyLoader.fingerprint(ofFile: policyPath)
      guard answer.policy == HookRequest.defaultPolicyPath, current == answer.fingerprint else {
        let now = current ?? "unreadable"
        return result(.fail, evidence + [
          "the refusal came from \(answer.policy) (\(answer.fingerprint)), not the installed \(HookRequest.defaultPolicyPath) (\(now))"
        ])
      }
      evidence.append("answered by \(answer.policy) (\(answer.fingerprint)): the installed policy, as it is now")
      return result(.pass, evidence)
    }
  }

  private static func message(of error: Error) -> String {
    (error as? LibvirtError)?.message ?? "\(error)"
  }

  /// kvmpolicy's refusal of `domain` in a libvirt error message: the policy that answered.
  static func refusal(in message: String, domain: String) -> (summary: String, policy: String, fingerprint: String)? {
    let marker = "kvmpolicy: refusing to start \(domain): "
    guard let start = message.firstRange(of: marker)?.upperBound else { return nil }
    let line = message[start...].prefix { $0 != "\n" }
    guard let open = line.firstRange(of: "(policy "), let comma = line[open.upperBound...].firstRange(of: ", fnv1a64:"),
      let close = line[comma.upperBound...].firstIndex(of: ")")
    else { return nil }
    let fingerprint = "fnv1a64:" + line[comma.upperBound..<close]
    return (String(line[..<close]) + ")", String(line[open.upperBound..<comma.lowerBound]), fingerprint)
  }
}
