import ArgumentParser
import Dispatch
import Enforcement
import Foundation
import Policy
import Reporting
import SystemIO

/// `kvmpolicy watch`: event-driven enforcement that closes the hot-plug gap.
struct WatchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "watch",
    abstract: "Keep the host in policy: enforce on hot-plug, (re)definition and start events.",
    discussion: """
      Sweeps every domain at start, then reacts to libvirt's events: a hot-plugged device that breaks the policy is detached (any action but warn: the hook never approved it); a definition changed against the policy is rewritten (action rewrite, backed up first). Detaches are asked for without waiting; one still attached after --detach-timeout seconds is logged, and the policy's defaults.detach-timeout (report or shutdown) decides what follows. Survives libvirtd restarts (keepalive, reconnect with backoff, sweep again). SIGHUP reloads the policy (an invalid one is rejected and the old one stays); SIGTERM exits. One log line per decision.

      Runs as a systemd service: kvmpolicy-watch.service (installed by the Debian package; scripts/debian/ in the source).
      """
  )

  /// How log lines are written.
  enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
  }

  @OptionGroup var connection: ConnectionOption

  @OptionGroup var policyOptions: PolicyOptions

  @OptionGroup var domainFilter: DomainFilterOptions

  @Option(help: "Log lines as key=value text or one JSON object per line.")
  var logFormat: LogFormat = .text

  @OptionGroup var backups: BackupOptions

  @Option(help: ArgumentHelp("Seconds to wait for a guest to release a device.", valueName: "seconds"))
  var detachTimeout: Double = 10

  func run() throws {
    let policy = try policyOptions.load()
    let control = Watcher.Control()
    // The watcher blocks this thread; signals are delivered on a queue of their own.
    let signals = DispatchQueue(label: "kvmpolicy.watch.signals")
    let sources = [(SIGHUP, control.requestReload), (SIGTERM, control.requestStop), (SIGINT, control.requestStop)].map {
      number, action in
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: signals)
      source.setEventHandler(handler: action)
      source.resume()
      return source
    }
    defer { sources.forEach { $0.cancel() } }
    guard let reporter = WatchLogReporters.reporter(for: logFormat.rawValue) else { throw ExitCode(ExitStatus.badInput) }
    let watcher = Watcher(
      uri: connection.connect, policyPath: policyOptions.policy, policy: policy, backups: backups.store,
      options: .init(detachTimeout: detachTimeout), control: control,
      selecting: domainFilter.selects,
      log: { record in
        FileDescriptorIO.write(reporter.render(record) + "\n", to: 1)
      })
    watcher.run()
  }
}
