import Foundation
import Libvirt
public import Policy

/// `kvmpolicy watch`: keeps a host in policy as it changes. Sweeps every domain at start and
/// after every reconnect, then reacts to libvirt's events: a hot-plugged device, a (re)defined
/// or started domain is planned and enforced like `kvmpolicy enforce` does for one domain.
///
/// Our own redefinition fires DEFINED again; the second pass finds nothing to do, because
/// enforcement is idempotent, so there is no loop.
public final class Watcher {
  /// Signals from outside: reload the policy, stop.
  public final class Control: @unchecked Sendable {
    private let lock = NSLock()
    private var reload = false
    private var stop = false

    /// Creates a control.
    public init() {}

    /// Asks the watcher to reload its policy (SIGHUP).
    public func requestReload() { lock.withLock { reload = true } }
    /// Asks the watcher to exit after the current event (SIGTERM).
    public func requestStop() { lock.withLock { stop = true } }

    func takeReload() -> Bool {
      lock.withLock {
        defer { reload = false }
        return reload
      }
    }

    var stopRequested: Bool { lock.withLock { stop } }
  }

  private let uri: String?
  private let policyPath: String
  private var policy: Policy
  private let backups: BackupStore
  private let options: Enforcer.Options
  private let control: Control
  private let log: (WatchLogRecord) -> Void
  private let selects: (String) -> Bool
  private var domainControl: LibvirtDomainControl?

  /// Creates a watcher; `log` receives one record per decision.
  public init(
    uri: String?, policyPath: String, policy: Policy, backups: BackupStore, options: Enforcer.Options, control: Control,
    selecting selects: @escaping (String) -> Bool = { _ in true }, log: @escaping (WatchLogRecord) -> Void
  ) {
    self.selects = selects
    self.uri = uri
    self.policyPath = policyPath
    self.policy = policy
    self.backups = backups
    self.options = options
    self.control = control
    self.log = log
  }

  /// Runs until ``Control/requestStop()``.
  public func run() {
    log(WatchLogRecord([("event", "start"), ("uri", uri ?? "default"), ("policy", policyPath)]))
    var backoff = 1.0
    while !control.stopRequested {
      guard let connected = domainControl, connected.isConnected else {
        if connect() {
          backoff = 1
          sweep(reason: "connect")
        } else {
          Thread.sleep(forTimeInterval: backoff)
          backoff = min(backoff * 2, 30)
        }
        continue
      }
      if control.takeReload() { reload() }
      // Wake at least once a second: signals, liveness. Idle otherwise.
      guard let event = connected.nextEvent(timeout: 1) else { continue }
      handle(event, with: connected)
    }
    log(WatchLogRecord([("event", "stop")]))
  }

  private func connect() -> Bool {
    do {
      if let existing = domainControl {
        try existing.reconnectOnce()
      } else {
        domainControl = try LibvirtDomainControl(uri: uri, reconnectTimeout: 0)
      }
      log(WatchLogRecord([("event", "connected"), ("uri", uri ?? "default")]))
      return true
    } catch {
      log(WatchLogRecord([("event", "connect-failed"), ("uri", uri ?? "default"), ("error", "\(error)")]))
      return false
    }
  }

  private func reload() {
    switch PolicyLoader.load(path: policyPath) {
    case .success(let loaded):
      policy = loaded.policy
      log(WatchLogRecord([("event", "policy-reloaded"), ("policy", policyPath)]))
      sweep(reason: "reload")
    case .failure(let errors):
      log(
        WatchLogRecord([
          ("event", "policy-rejected"), ("policy", policyPath), ("error", errors.diagnostics.first?.description ?? "invalid"),
          ("kept", "previous policy"),
        ]))
    }
  }

  private func sweep(reason: String) {
    guard let domainControl else { return }
    let enforcer = Enforcer(control: domainControl, policy: policy, backups: backups, options: options)
    do {
      let plans = try enforcer.plan(selecting: selects)
      log(WatchLogRecord([("event", "sweep"), ("reason", reason), ("domains", "\(plans.count)")]))
      for outcome in enforcer.apply(plans) { report(outcome, trigger: "sweep") }
    } catch {
      log(WatchLogRecord([("event", "sweep-failed"), ("error", "\(error)")]))
    }
  }

  private func handle(_ event: DomainEvent, with domainControl: LibvirtDomainControl) {
    let domain: String
    let trigger: String
    var hotPlugged: Set<String> = []
    switch event {
    case .deviceAdded(let name, let alias):
      domain = name
      trigger = "device-added alias=\(alias)"
      hotPlugged = [alias]
    case .lifecycle(let name, let type, _) where type == 0 || type == 2:
      domain = name
      trigger = type == 0 ? "defined" : "started"
    case .deviceRemoved(let name, let alias):
      log(WatchLogRecord([("event", "device-removed"), ("domain", name), ("alias", alias)]))
      return
    default:
      return
    }
    guard selects(domain) else { return }
    let enforcer = Enforcer(control: domainControl, policy: policy, backups: backups, options: options)
    do {
      guard let target = try domainControl.domains().first(where: { $0.name == domain }) else { return }
      let started = Date()
      let plan = enforcer.plan(target, hotPlugged: hotPlugged)
      let outcome = enforcer.apply([plan])[0]
      report(outcome, trigger: trigger, milliseconds: Int(Date().timeIntervalSince(started) * 1000))
    } catch {
      log(WatchLogRecord([("event", "error"), ("domain", domain), ("trigger", trigger), ("error", "\(error)")]))
    }
  }

  private func report(_ outcome: Enforcer.Outcome, trigger: String, milliseconds: Int? = nil) {
    let plan = outcome.plan
    var base: [(String, String)] = [("domain", plan.name), ("trigger", trigger)]
    if let milliseconds { base.append(("ms", "\(milliseconds)")) }
    for event in outcome.events { log(WatchLogRecord([("event", "enforced")] + base + [("result", event)])) }
    for error in outcome.errors { log(WatchLogRecord([("event", "error")] + base + [("error", error)])) }
    for finding in plan.warnings {
      log(WatchLogRecord([("event", "warning")] + base + [("finding", finding.id), ("message", finding.message)]))
    }
    for finding in plan.refusals {
      log(WatchLogRecord([("event", "violation")] + base + [("action", "refuse"), ("finding", finding.id), ("message", finding.message)]))
    }
  }
}
