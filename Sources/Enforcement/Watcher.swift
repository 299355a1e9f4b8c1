import DomainModel
import Foundation
public import Policy

/// `kvmpolicy watch`: keeps a host in policy as it changes. Sweeps every domain at start and
/// after every reconnect, then reacts to libvirt's events: a hot-plugged device, a (re)defined
/// or started domain is planned and enforced like `kvmpolicy enforce` does for one domain.
///
/// Our own redefinition fires DEFINED again; the second pass finds nothing to do, because
/// enforcement is idempotent, so there is no loop.
///
/// Detaches are asked for without waiting: a guest that takes its time (a PCI unplug needs its
/// cooperation) holds up no other domain and no signal. Each device has at most one detach
/// pending; libvirt's DEVICE_REMOVED (or REMOVAL_FAILED) settles it, and one still attached at
/// its deadline is reported and, if the policy's `defaults.detach-timeout` says so, its domain
/// is asked to shut down.
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
  private let open: () throws -> WatchableControl
  private var domainControl: WatchableControl?
  /// Detaches asked for and not settled yet, by domain and alias.
  private var pending: [PendingKey: Pending] = [:]

  private struct PendingKey: Hashable {
    let domain: String
    let alias: String
  }

  private struct Pending {
    let detach: Enforcer.PendingDetach
    let since: Date
    let deadline: Date
    let onTimeout: DetachTimeoutAction
  }

  /// Creates a watcher on libvirt at `uri`; `log` receives one record per decision.
  public convenience init(
    uri: String?, policyPath: String, policy: Policy, backups: BackupStore, options: Enforcer.Options, control: Control,
    selecting selects: @escaping (String) -> Bool = { _ in true }, log: @escaping (WatchLogRecord) -> Void
  ) {
    self.init(
      uri: uri, policyPath: policyPath, policy: policy, backups: backups, options: options, control: control, selecting: selects,
      log: log
    ) { try LibvirtDomainControl(uri: uri, reconnectTimeout: 0) }
  }

  /// Creates a watcher on whatever `open` connects to (a fake in tests); `uri` names it in the log.
  public init(
    uri: String?, policyPath: String, policy: Policy, backups: BackupStore, options: Enforcer.Options, control: Control,
    selecting selects: @escaping (String) -> Bool = { _ in true }, log: @escaping (WatchLogRecord) -> Void,
    open: @escaping () throws -> WatchableControl
  ) {
    self.open = open
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
      expirePending(with: connected)
      // Wake at least once a second: signals, liveness, deadlines. Idle otherwise.
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
        domainControl = try open()
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

  /// An enforcer that asks for detaches without waiting for them (see ``expirePending(with:)``).
  private func enforcer(_ domainControl: WatchableControl) -> Enforcer {
    var asking = options
    asking.detachTimeout = 0
    return Enforcer(control: domainControl, policy: policy, backups: backups, options: asking)
  }

  private func sweep(reason: String) {
    guard let domainControl else { return }
    let enforcer = enforcer(domainControl)
    do {
      let plans = try enforcer.plan(selecting: selects)
      log(WatchLogRecord([("event", "sweep"), ("reason", reason), ("domains", "\(plans.count)")]))
      for outcome in enforcer.apply(plans, skipping: isPending) { report(outcome, trigger: "sweep") }
    } catch {
      log(WatchLogRecord([("event", "sweep-failed"), ("error", "\(error)")]))
    }
  }

  private func handle(_ event: ControlEvent, with domainControl: WatchableControl) {
    let domain: String
    let trigger: String
    var hotPlugged: Set<String> = []
    switch event {
    case .deviceAdded(let name, let alias):
      domain = name
      trigger = "device-added alias=\(alias)"
      hotPlugged = [alias]
    case .defined(let name):
      domain = name
      trigger = "defined"
    case .started(let name):
      domain = name
      trigger = "started"
    case .deviceRemoved(let name, let alias):
      if let settled = pending.removeValue(forKey: PendingKey(domain: name, alias: alias)) {
        let milliseconds = Int(Date().timeIntervalSince(settled.since) * 1000)
        log(WatchLogRecord([
          ("event", "enforced"), ("domain", name), ("trigger", "device-removed alias=\(alias)"), ("ms", "\(milliseconds)"),
          ("result", "detached \(settled.detach.device)"),
        ]))
      } else {
        log(WatchLogRecord([("event", "device-removed"), ("domain", name), ("alias", alias)]))
      }
      return
    case .deviceRemovalFailed(let name, let alias):
      guard let failed = pending.removeValue(forKey: PendingKey(domain: name, alias: alias)) else { return }
      log(WatchLogRecord([
        ("event", "error"), ("domain", name), ("trigger", "device-removal-failed alias=\(alias)"),
        ("error", "the guest refused to release \(failed.detach.device)"),
      ]))
      onTimeout(failed, with: domainControl)
      return
    case .other:
      return
    }
    guard selects(domain) else { return }
    let enforcer = enforcer(domainControl)
    do {
      // Names compare as bytes, as libvirt compares them.
      guard let target = try domainControl.domains().first(where: { $0.name.utf8.elementsEqual(domain.utf8) }) else { return }
      let started = Date()
      let plan = enforcer.plan(target, hotPlugged: hotPlugged)
      let outcome = enforcer.apply([plan], skipping: isPending)[0]
      report(outcome, trigger: trigger, milliseconds: Int(Date().timeIntervalSince(started) * 1000))
    } catch {
      log(WatchLogRecord([("event", "error"), ("domain", domain), ("trigger", trigger), ("error", "\(error)")]))
    }
  }

  private func isPending(_ domain: String, _ alias: String) -> Bool {
    pending[PendingKey(domain: domain, alias: alias)] != nil
  }

  /// Settles the detaches whose deadline has passed: gone after all (the event was missed), or
  /// still attached, reported and handled as the policy says.
  private func expirePending(with domainControl: WatchableControl) {
    let now = Date()
    for (key, entry) in pending where entry.deadline <= now {
      pending[key] = nil
      let live = try? DomainDocument(xml: domainControl.liveXML(of: key.domain), source: "\(key.domain) (live)")
      let seconds = Int(now.timeIntervalSince(entry.since).rounded())
      if let live, !live.domain.devices.contains(where: { $0.alias == key.alias }) {
        log(WatchLogRecord([("event", "enforced"), ("domain", key.domain), ("trigger", "deadline"), ("result", "detached \(entry.detach.device)")]))
        continue
      }
      log(WatchLogRecord([
        ("event", "error"), ("domain", key.domain), ("trigger", "deadline"),
        ("error", "\(entry.detach.device) is still attached after \(seconds) s"), ("on-timeout", entry.onTimeout.rawValue),
      ]))
      onTimeout(entry, with: domainControl)
    }
  }

  /// The policy's `defaults.detach-timeout` for a detach that did not happen.
  private func onTimeout(_ entry: Pending, with domainControl: WatchableControl) {
    guard entry.onTimeout == .shutdown else { return }
    do {
      try domainControl.shutdown(entry.detach.domain)
      log(WatchLogRecord([
        ("event", "enforced"), ("domain", entry.detach.domain), ("trigger", "detach-timeout"),
        ("result", "asked the guest to shut down: it kept \(entry.detach.device)"),
      ]))
    } catch {
      log(WatchLogRecord([("event", "error"), ("domain", entry.detach.domain), ("trigger", "detach-timeout"), ("error", "shutdown failed: \(error)")]))
    }
  }

  private func report(_ outcome: Enforcer.Outcome, trigger: String, milliseconds: Int? = nil) {
    let plan = outcome.plan
    let now = Date()
    for detach in outcome.pendingDetaches {
      pending[PendingKey(domain: detach.domain, alias: detach.alias)] = Pending(
        detach: detach, since: now, deadline: now.addingTimeInterval(options.detachTimeout), onTimeout: plan.detachTimeout)
    }
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
