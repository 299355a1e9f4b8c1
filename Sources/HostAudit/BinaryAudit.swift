import ELF

#if canImport(Glibc)
  import Glibc
#endif

/// The guide's "Ensure binary hardening is applied" for QEMU and libvirt: each file's ELF
/// hardening, read in-process (verdicts equal to checksec's where checksec is right).
public struct BinaryAudit: Sendable {
  private let files: HostFiles
  private let targets: [String]?

  /// Creates the audit; `targets` replaces the guide's list (`--elf FILE...`).
  public init(files: HostFiles, targets: [String]? = nil) {
    self.files = files
    self.targets = targets
  }

  /// The guide's list, as present on this host: QEMU's tools, libvirt's daemons and tools, and
  /// the libvirt and QEMU shared libraries.
  public func defaultTargets() -> [String] {
    var paths: [String] = []
    for directory in ["/usr/bin", "/usr/libexec"] {
      let names = (try? HostFiles.list(files.path(directory))) ?? []
      paths += names.filter { $0.hasPrefix("qemu-system-") }.sorted().map { "\(directory)/\($0)" }
    }
    paths += [
      "/usr/bin/qemu-img", "/usr/bin/qemu-nbd", "/usr/bin/qemu-io", "/usr/sbin/libvirtd", "/usr/sbin/virtqemud",
      "/usr/sbin/virtlockd", "/usr/sbin/virtlogd", "/usr/bin/virsh", "/usr/libexec/virtfs-proxy-helper",
      "/usr/lib/qemu/virtfs-proxy-helper", "/usr/bin/virt-host-validate",
    ].filter { files.exists($0) }
    let libraries = "/usr/lib/x86_64-linux-gnu"
    let names = (try? HostFiles.list(files.path(libraries))) ?? []
    paths += names.filter { $0.hasPrefix("libvirt") && $0.contains(".so.") && !$0.hasSuffix(".py") }.sorted().map { "\(libraries)/\($0)" }
    return paths
  }

  /// One check per file.
  public func checks() -> [HostCheck] {
    let libc = LibcFortify.checksecLibcPath { files.exists($0) }
    let fortifiable = libc.flatMap { try? LibcFortify.fortifiableFunctions(libc: files.path($0)) } ?? []
    let list = targets ?? defaultTargets()
    var seen = Set<String>()
    return list.compactMap { path in
      // A library's symlinks (libvirt.so.0 -> libvirt.so.0.9000.0) are one file: judge it once.
      let real = realpath(files.path(path), nil).map { pointer in
        defer { free(pointer) }
        return String(cString: pointer)
      } ?? path
      guard seen.insert(real).inserted else { return nil }
      return check(path, fortifiable: fortifiable, libc: libc)
    }
  }

  private func check(_ path: String, fortifiable: Set<String>, libc: String?) -> HostCheck {
    let id = "elf:\(path)"
    let title = "\(path): PIE, full RELRO, NX, stack canary, FORTIFY"
    let file: ELFFile
    do {
      file = try ELFFile(path: files.path(path))
    } catch {
      if case .notELF = error, let target = wrapperTarget(path) {
        let inner = check(target, fortifiable: fortifiable, libc: libc)
        return HostCheck(
          id: id, section: "Binary hardening", title: title, status: inner.status,
          evidence: ["\(path): a shell script that runs \(target)"] + inner.evidence,
          properties: inner.properties.merging(["wrapper-target": .string(target)]) { old, _ in old })
      }
      return HostCheck(id: id, section: "Binary hardening", title: title, status: .unknown, evidence: ["\(error)"])
    }
    let report = HardeningReport.analyze(file, fortifiable: fortifiable)
    var problems: [String] = []
    if report.relro != .full { problems.append("RELRO \(report.relro.rawValue)") }
    if !report.canary { problems.append("no stack canary") }
    if !report.nx { problems.append("executable stack (NX off)") }
    if report.pie == .noPIE { problems.append("not PIE") }
    if let rpath = report.rpath { problems.append("RPATH \(rpath)") }
    if let runpath = report.runpath { problems.append("RUNPATH \(runpath)") }
    var evidence = [
      "relro \(report.relro.rawValue), canary \(report.canary ? "yes" : "no"), nx \(report.nx ? "yes" : "no"), pie \(report.pie.rawValue), "
        + "fortify \(report.fortifySource ? "yes" : "no") (\(report.fortified) fortified of \(report.fortifiable) fortifiable against \(libc ?? "no libc")), "
        + "symbols \(report.hasSymbols ? "yes" : "no")"
    ]
    var status: HostCheck.Status = problems.isEmpty ? .pass : .fail
    if !problems.isEmpty { evidence.append("missing: " + problems.joined(separator: ", ")) }
    if problems.isEmpty && !report.fortifySource && report.fortifiable > 0 {
      status = .warn
      evidence.append("no FORTIFY_SOURCE: none of its \(report.fortifiable) fortifiable libc calls uses a _chk variant")
    }
    // checksec's keys and its very strings, so a fleet tool can compare with checksec's JSON.
    let properties = ChecksecFields(report: report).values.mapValues(HostValue.string)
    return HostCheck(id: id, section: "Binary hardening", title: title, status: status, evidence: evidence, properties: properties)
  }

  /// The program a shell-script wrapper execs (Debian's /usr/bin/qemu-system-i386), if found.
  private func wrapperTarget(_ path: String) -> String? {
    guard let text = files.text(path), text.hasPrefix("#!") else { return nil }
    for token in text.split(whereSeparator: { " \n\t\"'".contains($0) }) where token.hasPrefix("/") {
      let candidate = String(token)
      if candidate != path, !candidate.hasPrefix("/bin/"), files.exists(candidate), (try? ELFFile(path: files.path(candidate))) != nil {
        return candidate
      }
    }
    for token in text.split(whereSeparator: { " \n\t\"'".contains($0) }) where token.hasPrefix("qemu-system-") {
      for directory in ["/usr/bin", "/usr/libexec"] {
        let candidate = "\(directory)/\(token)"
        // Only an ELF file ends the search: a wrapper never leads to another wrapper here.
        if candidate != path, (try? ELFFile(path: files.path(candidate))) != nil { return candidate }
      }
    }
    return nil
  }
}
