import Engine
import Foundation
public import Policy

/// Applies plans through a ``DomainControl``: detaches, backed-up rewrites, optional shutdowns.
///
/// Each domain is handled on its own: a failure is reported for that domain and the run goes
/// on. A definition is backed up before it is changed, checked not to have changed since it
/// was planned, and defined with validation, so it is either the original or the enforced one.
public struct Enforcer {
  /// What happened to one domain.
  public struct Outcome: Sendable {
    /// The plan that was applied.
    public let plan: DomainPlan
    /// One line per thing done or refused, for the operator.
    public var events: [String] = []
    /// Errors for this domain.
    public var errors: [String] = []
    /// The backup taken before a rewrite.
    public var backup: BackupStore.Backup?
    /// Detaches asked for and not yet done (a detach timeout of 0 asks without waiting).
    public var pendingDetaches: [PendingDetach] = []
  }

  /// A detach the guest has not carried out yet.
  public struct PendingDetach: Sendable, Equatable {
    /// The domain.
    public let domain: String
    /// The device's alias (detaches without an alias are never left pending: see apply).
    public let alias: String
    /// The device as reports name it.
    public let device: String
  }

  /// Settings.
  public struct Options: Sendable {
    /// Seconds to wait for the guest to release a device.
    public var detachTimeout: Double
    /// Shut down running domains that have `refuse` findings.
    public var shutdown: Bool
    /// Also remove detached devices from the definition.
    public var detachFromDefinition: Bool

    /// Creates settings.
    public init(detachTimeout: Double = 10, shutdown: Bool = false, detachFromDefinition: Bool = false) {
      self.detachTimeout = detachTimeout
      self.shutdown = shutdown
      self.detachFromDefinition = detachFromDefinition
    }
  }

  private let control: DomainControl
  private let policy: Policy
  private let backups: BackupStore
  private let options: Options
  private let today: @Sendable () -> PolicyDate

  /// Creates an enforcer. `today` tells the day (UTC) waivers are judged on, read once per
  /// plan (a watcher runs for days); injectable for tests.
  public init(
    control: DomainControl, policy: Policy, backups: BackupStore, options: Options = Options(),
    today: @escaping @Sendable () -> PolicyDate = PolicyDate.today
  ) {
    self.control = control
    self.policy = policy
    self.backups = backups
    self.options = options
    self.today = today
  }

  /// Plans every selected domain (nothing is changed).
  public func plan(selecting selects: (String) -> Bool = { _ in true }) throws -> [DomainPlan] {
    try control.domains().filter { selects($0.name) }.sorted { $0.name < $1.name }.map { plan($0) }
  }

  /// Plans one domain; reading errors become the plan's error. `hotPlugged` names devices
  /// (by alias) that were just hot-plugged: see ``EnforcementPlanner/Options/hotPlugged``.
  public func plan(_ domain: ControlledDomain, hotPlugged: Set<String> = []) -> DomainPlan {
    do {
      let live = domain.isActive ? try control.liveXML(of: domain.name) : nil
      let definition = domain.isPersistent ? try control.definitionXML(of: domain.name) : nil
      return EnforcementPlanner.plan(
        domain: domain, liveXML: live, definitionXML: definition, policy: policy,
        options: .init(detachFromDefinition: options.detachFromDefinition, hotPlugged: hotPlugged), today: today())
    } catch {
      return DomainPlan(
        name: domain.name, uuid: domain.uuid, isActive: domain.isActive, detaches: [], rewrite: nil, refusals: [], warnings: [],
        error: "\(error)")
    }
  }

  /// Applies plans, one domain at a time. `skipping` says which detaches (domain, alias) are
  /// already pending and must not be asked for again.
  public func apply(_ plans: [DomainPlan], skipping: (String, String) -> Bool = { _, _ in false }) -> [Outcome] {
    plans.map { apply($0, skipping: skipping) }
  }

  private func apply(_ plan: DomainPlan, skipping: (String, String) -> Bool) -> Outcome {
    var outcome = Outcome(plan: plan)
    // A plan with an error still detaches what it found (a domain that could not be read has
    // nothing to detach); it never rewrites.
    if let error = plan.error { outcome.errors.append(error) }
    for detach in plan.detaches {
      let device = detach.finding.device.map { "\($0)" } ?? "device"
      if let alias = detach.alias, skipping(plan.name, alias) { continue }
      // Without an alias there is no event to wait for later: such a detach is always waited for.
      let timeout = detach.alias == nil && options.detachTimeout <= 0 ? 10 : options.detachTimeout
      do {
        switch try control.detach(from: plan.name, alias: detach.alias, deviceXML: detach.deviceXML, timeout: timeout) {
        case .pending:
          outcome.events.append("asked to detach \(device); waiting for the guest")
          if let alias = detach.alias { outcome.pendingDetaches.append(PendingDetach(domain: plan.name, alias: alias, device: device)) }
        case .removed: outcome.events.append("detached \(device)")
        case .refused: outcome.errors.append("the guest refused to release \(device)")
        case .timedOut: outcome.errors.append("\(device) is still attached after \(Int(options.detachTimeout)) s")
        }
      } catch {
        outcome.errors.append("detaching \(device) failed: \(error)")
      }
    }
    if let rewrite = plan.rewrite {
      do {
        let current = try control.definitionXML(of: plan.name)
        guard current == rewrite.original else {
          outcome.errors.append("the definition changed since it was planned; left as it is (run enforce again)")
          return outcome
        }
        let backup = try backups.save(rewrite.original, name: plan.name, uuid: plan.uuid)
        outcome.backup = backup
        do {
          try control.define(rewrite.rewritten)
          outcome.events.append(
            "rewrote the definition (\(rewrite.findings.count) change\(rewrite.findings.count == 1 ? "" : "s")); backup \(backup.id)")
        } catch {
          outcome.errors.append("libvirt refused the rewritten definition, which stays as it was: \(error)")
        }
      } catch {
        outcome.errors.append("rewriting the definition failed, nothing was changed: \(error)")
      }
    }
    if options.shutdown && plan.isActive && !plan.refusals.isEmpty {
      do {
        try control.shutdown(plan.name)
        outcome.events.append("asked the guest to shut down (\(plan.refusals.count) refuse finding\(plan.refusals.count == 1 ? "" : "s"))")
      } catch {
        outcome.errors.append("shutdown failed: \(error)")
      }
    }
    return outcome
  }
}
