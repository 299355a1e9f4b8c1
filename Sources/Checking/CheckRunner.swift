import Engine
public import Inventory
import Parallel
public import Policy

/// Judges collected sources with the engine. Pure: no I/O.
public enum CheckRunner {
  /// From how many domains in one source they are judged on every core.
  nonisolated(unsafe) static var concurrentThreshold = 64

  /// Evaluates every domain of every source against `policy`; `decisions` keeps every device's
  /// decision (for `--explain`), not just the findings. Waivers are judged on `today` (one day
  /// for the whole run, so a run across midnight judges every domain alike).
  public static func run(_ sources: [InventorySource], policy: Policy, decisions: Bool = true, today: PolicyDate) -> CheckReport {
    CheckReport(
      policyFile: policy.file, policyDescription: policy.description,
      sources: sources.map { judge($0, policy: policy, decisions: decisions, today: today) })
  }

  /// Evaluates every domain of one source. The result keeps no domain model, only what the
  /// reports need, so a caller that streams sources holds just results.
  ///
  /// Running domains are judged twice when their definition was read: live XML, and the
  /// definition that boots next; definition findings that repeat a live one are dropped.
  public static func judge(
    _ source: InventorySource, policy: Policy, decisions: Bool = true, today: PolicyDate
  ) -> CheckReport.SourceResult {
    let models = source.domains.compactMap(\.model)
    // One engine call per source for the live XML, so shared labels are found across domains.
    // A host's worth of domains is judged on every core: each domain's evaluation depends on
    // nothing but the domain and the policy; shared labels are added after.
    let evaluations = Engine.addingSharedLabels(
      to: Parallel.map(models, minimumCount: concurrentThreshold) { Engine.evaluate($0, against: policy, decisions: decisions, today: today) },
      of: models, policy: policy, today: today)
    let live = Dictionary(zip(models.map(\.name), evaluations), uniquingKeysWith: { first, _ in first })
    let domains = source.domains.map { entry -> CheckReport.DomainResult in
      var evaluations: [(CheckReport.Scope, Evaluation)] = []
      if let evaluation = live[entry.name] {
        evaluations.append((source.kind == .file ? .file : .live, evaluation))
        if let definition = entry.definition {
          let seen = Set(evaluation.findings.map(\.violationKey))
          let scoped = Engine.evaluate(definition, against: policy, decisions: decisions, today: today).filteringFindings { !seen.contains($0.violationKey) }
          evaluations.append((.definition, scoped))
        }
      }
      return CheckReport.DomainResult(
        name: entry.name, uuid: entry.model?.uuid, state: entry.state?.rawValue,
        override: evaluations.first?.1.override, error: entry.error, evaluations: evaluations)
    }
    return CheckReport.SourceResult(source: source.withoutDomains, domains: domains)
  }
}

extension InventorySource {
  /// This source's identity and error, its domains (and their models) dropped.
  fileprivate var withoutDomains: InventorySource {
    InventorySource(kind: kind, name: name, uri: uri, securityModels: securityModels, error: error)
  }
}
