import ELF
import Hook
import HookInstallation
import Policy

#if canImport(Glibc)
  import Glibc
#endif

/// Whether kvmpolicy's pre-start hook is really guarding VM starts: installed whole, loadable on
/// this host, and looked up by the running libvirtd. ``HookProbe`` adds the proof by experiment.
public struct HookAudit: Sendable {
  /// The section these checks appear under.
  public static let section = "Pre-start hook"

  private let files: HostFiles
  private let layout: HookLayout

  /// Creates the audit of the hook below `files.root`.
  public init(files: HostFiles) {
    self.files = files
    layout = HookLayout(root: files.root)
  }

  /// `hook-veto` when the probe (Enforcement's `HookProbe`, which starts a canary domain) was
  /// not asked for.
  public static let notProbed = HostCheck(
    id: "hook-veto", section: section, title: "libvirt refuses a domain that breaks the installed policy (probe)",
    status: .unknown, evidence: ["not probed: run kvmpolicy host --probe-hook (as root; starts and refuses a transient canary domain)"])

  /// `hook-installed`, `hook-loaded` and `veto` (``HookProbe``'s `hook-veto`), which can
  /// prove a hook loaded where timestamps cannot (a reload leaves no trace).
  public func checks(veto: HostCheck = HookAudit.notProbed) -> [HostCheck] { [installed(), loaded(veto: veto), veto] }

  private func check(_ id: String, _ title: String, _ status: HostCheck.Status, _ evidence: [String]) -> HostCheck {
    HostCheck(id: id, section: Self.section, title: title, status: status, evidence: evidence)
  }

  private func installed() -> HostCheck {
    let title = "the hook, its binary and its policy are installed and usable"
    let id = "hook-installed"
    guard let text = files.text(HookLayout.wrapper) else {
      return check(id, title, .fail, [
        "\(HookLayout.wrapper): absent: nothing refuses a VM that breaks the policy at start",
        "install it: kvmpolicy install-hook --policy FILE --reload",
      ])
    }
    guard let binary = HookLayout.binary(inWrapper: text) else {
      return check(id, title, .fail, ["\(HookLayout.wrapper): not written by kvmpolicy install-hook (no '\(HookLayout.marker)')"])
    }
    var evidence = ["\(HookLayout.wrapper): runs \(binary)"]
    var status = HostCheck.Status.pass
    func fail(_ line: String) {
      evidence.append(line)
      status = .fail
    }
    if access(files.path(HookLayout.wrapper), X_OK) != 0 { fail("\(HookLayout.wrapper): not executable: libvirt skips it") }
    if text.contains("--on-policy-error allow") {
      evidence.append("\(HookLayout.wrapper): fails open (--on-policy-error allow): a broken policy lets every VM start")
      if status == .pass { status = .warn }
    }
    if access(files.path(binary), X_OK) != 0 {
      fail("\(binary): missing or not executable: libvirt fails every VM start")
    } else if let elf = try? ELFFile(path: files.path(binary)) {
      // Libraries are looked up below the same root as the hook (`/` on a real host).
      let linkage = SharedLibraryLinkage(elf, as: binary) { SharedLibraryLinkage.fileExists($0.hasPrefix(files.root) ? $0 : files.path($0)) }
      if linkage.isSelfContained {
        evidence.append("\(binary): self-contained (\(linkage.libraries.count) shared libraries, all in the system library directories)")
      } else {
        linkage.problems.forEach(fail)
      }
    } else {
      fail("\(binary): not an ELF executable")
    }
    let policy = HookRequest.defaultPolicyPath
    if let problem = PolicyFileGuard.problem(with: files.path(policy)) {
      fail("\(policy): fails the hook's StrictModes check: \(problem)")
    } else {
      switch PolicyLoader.load(path: files.path(policy), preferringCompiledWhere: { _ in false }) {
      case .failure(let errors):
        fail("\(policy): the hook cannot use it: \(errors.diagnostics.first?.description ?? "invalid policy")")
      case .success(let loaded):
        evidence.append("\(policy): valid, owned by root and writable by nobody else (\(loaded.policy.fingerprint))")
      }
    }
    return check(id, title, status, evidence)
  }

  private func loaded(veto: HostCheck) -> HostCheck {
    let title = "the running libvirtd looked up its hooks after the hook was installed"
    let id = "hook-loaded"
    var info = stat()
    guard stat(files.path(HookLayout.wrapper), &info) == 0 else {
      return check(id, title, .unknown, ["\(HookLayout.wrapper): absent: no hook to load"])
    }
    guard let daemon = LibvirtDaemon.find(root: files.root) else {
      return check(id, title, .unknown, ["/run/libvirtd.pid, /run/virtqemud.pid: no running daemon found by its pid file"])
    }
    let changed = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
    var evidence = [
      "\(daemon.name) (pid \(daemon.pid)): started \(Self.timestamp(daemon.startTime))",
      "\(HookLayout.wrapper): last changed \(Self.timestamp(changed))",
    ]
    // The start time is known only to within `startUncertainty`: a start that may have come
    // before the change counts as before.
    if daemon.startTime > changed {
      return check(id, title, .pass, evidence + ["\(daemon.name) started after the hook was installed: it calls it"])
    }
    if daemon.startTime + daemon.startUncertainty > changed {
      evidence.append("\(daemon.name) started within \(Int((daemon.startUncertainty * 1000).rounded(.up))) ms of the hook's change: the clocks cannot tell which came first")
    }
    if veto.status == .pass {
      return check(id, title, .pass, evidence + ["\(daemon.name) started before, but the probe shows it calls the hook: it was reloaded since"])
    }
    return check(id, title, .warn, evidence + [
      "\(daemon.name) started before the hook was last changed: the hook is inactive unless \(daemon.name) was reloaded (SIGHUP) since",
      "prove it: kvmpolicy host --probe-hook; activate it: systemctl reload \(daemon.name), or kvmpolicy install-hook --reload",
    ])
  }

  /// `2026-12-01 21:40:03 UTC`.
  static func timestamp(_ seconds: Double) -> String {
    var time = time_t(seconds)
    var parts = tm()
    gmtime_r(&time, &parts)
    var buffer = [CChar](repeating: 0, count: 32)
    let count = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S UTC", &parts)
    return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
