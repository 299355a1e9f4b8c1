import DomainModel
import Engine
import Policy

/// The pre-start hook's decisions. Reads nothing itself: the caller hands in the XML and a way
/// to load the policy, so every branch is unit-testable. Never calls libvirt (libvirtd waits on
/// the hook: a call back would deadlock).
public enum HookRunner {
  /// Decides what the hook does for one call.
  ///
  /// - Parameters:
  ///   - request: libvirt's arguments and the hook's options.
  ///   - xml: the domain XML from standard input.
  ///   - loadPolicy: loads the policy (with the StrictModes check); called only for judged calls.
  ///   - today: the day (UTC) waivers are judged on; read only when the policy has waivers.
  public static func run(
    _ request: HookRequest, xml: () -> [UInt8], loadPolicy: (String) -> Result<Policy, PolicyErrors>, today: () -> PolicyDate
  ) -> HookOutcome {
    guard request.isJudged else { return .proceed }
    let isReconnect = request.operation == "reconnect"
    let policy: Policy
    switch loadPolicy(request.policyPath) {
    case .success(let loaded): policy = loaded
    case .failure(let errors):
      let reason = errors.diagnostics.first.map(\.description) ?? "\(request.policyPath): error: invalid policy"
      // A failing reconnect hook makes libvirt kill the running VM: never fail it.
      if isReconnect || request.onPolicyError == .allow {
        return HookOutcome(status: 0, messages: ["kvmpolicy: warning: \(request.domain): policy not enforced: \(reason)"])
      }
      return HookOutcome(
        status: 1,
        messages: [
          "kvmpolicy: refusing to \(verb(request)) \(request.domain): the policy cannot be used (fail-closed): \(reason)"
        ])
    }
    let bytes = xml()
    let parsed = bytes.withUnsafeBytes { buffer in
      Result { () throws(DomainXMLError) in try Domain.parse(bytes: buffer, source: "\(request.domain) (hook XML)") }
    }
    let domain: Domain
    switch parsed {
    case .success(let value): domain = value
    case .failure(let error):
      if isReconnect { return HookOutcome(status: 0, messages: ["kvmpolicy: warning: \(error)"]) }
      return HookOutcome(status: 1, messages: ["kvmpolicy: refusing to \(verb(request)) \(request.domain): \(error)"])
    }
    // At prepare the XML has only the labels the definition spells out; libvirt generates the
    // rest before `start`, so sVirt confinement of the generated labels is judged there.
    let atStart = request.operation == "start"
    // Without waivers the date matters to nothing: the clock is not read.
    let day = policy.waivers.isEmpty ? PolicyDate.epoch : today()
    let evaluation = Engine.evaluate(domain, against: policy, labelsGenerated: atStart || isReconnect, decisions: false, today: day)
    var findings = evaluation.findings
    if atStart { findings = findings.filter { $0.subject == .seclabel } }
    // A finding a waiver in force covers refuses nothing.
    let refusals = findings.filter { $0.action == .refuse && !$0.isWaived }
    if isReconnect {
      let lines = refusals.map { "kvmpolicy: warning: \(domain.name) (running) violates the policy: \(describe($0))" }
      return HookOutcome(status: 0, messages: lines)
    }
    guard !refusals.isEmpty else { return .proceed }
    let count = refusals.count == 1 ? "1 policy violation" : "\(refusals.count) policy violations"
    // The policy that answered, so `kvmpolicy host --probe-hook` can tell it is the installed one.
    let answered = "(policy \(policy.file), \(policy.fingerprint))"
    return HookOutcome(
      status: 1,
      messages: ["kvmpolicy: refusing to \(verb(request)) \(domain.name): \(count) \(answered)"]
        + refusals.map { "kvmpolicy: " + describe($0) })
  }

  private static func verb(_ request: HookRequest) -> String {
    switch request.operation {
    case "migrate": "accept the incoming migration of"
    case "restore": "restore"
    default: "start"
    }
  }

  private static func describe(_ finding: Finding) -> String {
    let line = "\(finding.message) [\(finding.rule)] \(finding.id)"
    // Only an expired waiver reaches here: say that it no longer applies.
    guard let waiver = finding.waiver?.waiver else { return line }
    return line + " (waiver \(waiver.reference.path) expired on \(waiver.expires))"
  }
}
