import ELF
import KernelModules

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
    let title = "\(path): PIE, full RELRO, NX, stack canary, FORTIFY, no W+X memory, no TEXTREL"
    let opened: (file: ELFFile, compression: CompressionFormat?)
    do {
      opened = try open(path)
    } catch {
      if case .elf(.notELF) = error, let target = wrapperTarget(path) {
        let inner = check(target, fortifiable: fortifiable, libc: libc)
        return HostCheck(
          id: id, section: "Binary hardening", title: title, status: inner.status,
          evidence: ["\(path): a shell script that runs \(target)"] + inner.evidence,
          properties: inner.properties.merging(["wrapper-target": .string(target)]) { old, _ in old })
      }
      return HostCheck(id: id, section: "Binary hardening", title: title, status: .unknown, evidence: ["\(error)"])
    }
    let file = opened.file
    let report = HardeningReport.analyze(file, fortifiable: fortifiable)
    let extended = ExtendedHardeningReport.analyze(file)
    if file.type == .relocatable {
      return objectCheck(id: id, path: path, file: file, report: report, extended: extended, compression: opened.compression)
    }
    var problems: [String] = []
    if report.relro != .full { problems.append("RELRO \(report.relro.rawValue)") }
    if !report.canary { problems.append("no stack canary") }
    if !report.nx { problems.append("executable stack (NX off)") }
    if report.pie == .noPIE { problems.append("not PIE") }
    if let rpath = report.rpath { problems.append("RPATH \(rpath)") }
    if let runpath = report.runpath { problems.append("RUNPATH \(runpath)") }
    problems += Self.writableExecutableProblems(extended, sections: false)
    if extended.textrel == true { problems.append("TEXTREL (code pages made writable to relocate them)") }
    var evidence = [
      "relro \(report.relro.rawValue), canary \(report.canary ? "yes" : "no"), nx \(report.nx ? "yes" : "no"), pie \(report.pie.rawValue), "
        + "fortify \(report.fortifySource ? "yes" : "no") (\(report.fortified) fortified of \(report.fortifiable) fortifiable against \(libc ?? "no libc")), "
        + "symbols \(report.hasSymbols ? "yes" : "no")",
      "beyond checksec: CET marking \(extended.cet.summary), W+X LOAD segments \(extended.writableExecutableSegments.count), "
        + "TEXTREL \(extended.textrel == true ? "yes" : "no")",
    ]
    evidence += Self.cetNote(extended.cet)
    var status: HostCheck.Status = problems.isEmpty ? .pass : .fail
    if !problems.isEmpty { evidence.append("missing: " + problems.joined(separator: ", ")) }
    if problems.isEmpty && !report.fortifySource && report.fortifiable > 0 {
      status = .warn
      evidence.append("no FORTIFY_SOURCE: none of its \(report.fortifiable) fortifiable libc calls uses a _chk variant")
    }
    return HostCheck(
      id: id, section: "Binary hardening", title: title, status: status, evidence: evidence,
      properties: Self.properties(report: report, extended: extended))
  }

  /// A relocatable object (`.o`, or a `.ko` kernel module) is judged by what applies before
  /// linking: RELRO, PIE, NX by `PT_GNU_STACK`, TEXTREL and FORTIFY (counted from dynamic
  /// symbols) belong to the linked file. What applies: the stack canary, the stack note (except
  /// for a kernel module, whose stack is the kernel's), no W+X section, RPATH/RUNPATH (never
  /// there), and the CET marking (informational, as for linked files; for a kernel module,
  /// shown without the user-space note).
  private func objectCheck(
    id: String, path: String, file: ELFFile, report: HardeningReport, extended: ExtendedHardeningReport, compression: CompressionFormat?
  ) -> HostCheck {
    let isKernelModule = file.section(named: ".gnu.linkonce.this_module") != nil
    let kind = isKernelModule ? "kernel module" : "relocatable object"
    let title = "\(path): \(kind): stack canary, non-executable stack note, no W+X sections"
    var problems: [String] = []
    if !report.canary { problems.append("no stack canary") }
    let stackNote = extended.stackNote ?? .missing
    var evidence = [
      "\(compression.map { "\($0.rawValue)-compressed " } ?? "")\(kind) (ET_REL): RELRO, PIE, TEXTREL and FORTIFY are decided when it is linked"
        + (isKernelModule ? " or loaded" : "") + "; not judged here",
      "canary \(report.canary ? "yes" : "no"), stack note \(stackNote.rawValue), symbols \(report.hasSymbols ? "yes" : "no")",
      "beyond checksec: CET marking \(extended.cet.summary), W+X sections \(extended.writableExecutableSections.count)",
    ]
    if isKernelModule {
      evidence.append("the kernel's stack is never executable: .note.GNU-stack does not apply to a module")
    } else {
      switch stackNote {
      case .nonExecutable: break
      case .executable: problems.append(".note.GNU-stack asks for an executable stack")
      case .missing: problems.append("no .note.GNU-stack (GNU ld makes the stack executable)")
      }
    }
    if let rpath = report.rpath { problems.append("RPATH \(rpath)") }
    if let runpath = report.runpath { problems.append("RUNPATH \(runpath)") }
    problems += Self.writableExecutableProblems(extended, sections: true)
    // User-space CET (start files, x86_Thread_features) says nothing about kernel code.
    if !isKernelModule { evidence += Self.cetNote(extended.cet) }
    if !problems.isEmpty { evidence.append("missing: " + problems.joined(separator: ", ")) }
    var properties = Self.properties(report: report, extended: extended)
    properties["stack-note"] = .string(stackNote.rawValue)
    return HostCheck(
      id: id, section: "Binary hardening", title: title, status: problems.isEmpty ? .pass : .fail, evidence: evidence,
      properties: properties)
  }

  /// The file at `path`, decompressed first when it is xz, zstd or gzip data (`kvm.ko.xz`).
  private func open(_ path: String) throws(OpenError) -> (file: ELFFile, compression: CompressionFormat?) {
    do {
      return (try ELFFile(path: files.path(path)), nil)
    } catch {
      guard case .notELF = error, let raw = files.bytes(path), let format = CompressionFormat.detect(raw) else { throw .elf(error) }
      let bytes: [UInt8]
      do {
        bytes = try Decompressor.decompress(raw, format: format)
      } catch {
        throw .decompression(path: path, reason: "\(error)")
      }
      do {
        return (try ELFFile(bytes: bytes, name: path), format)
      } catch {
        throw .elf(error)
      }
    }
  }

  /// checksec's ten keys with its very strings (so a fleet tool can compare with checksec's
  /// JSON), then what lies beyond checksec, typed.
  private static func properties(report: HardeningReport, extended: ExtendedHardeningReport) -> [String: HostValue] {
    var properties = ChecksecFields(report: report).values.mapValues(HostValue.string)
    properties["ibt"] = .bool(extended.cet.ibt)
    properties["shstk"] = .bool(extended.cet.shstk)
    properties["wx-segments"] = .int(extended.writableExecutableSegments.count)
    properties["wx-sections"] = .int(extended.writableExecutableSections.count)
    if let textrel = extended.textrel { properties["textrel"] = .bool(textrel) }
    return properties
  }

  /// W+X segments (linked files) or sections (objects), as problems.
  private static func writableExecutableProblems(_ extended: ExtendedHardeningReport, sections: Bool) -> [String] {
    if sections {
      let names = extended.writableExecutableSections.map { $0.name.isEmpty ? "(unnamed)" : $0.name }
      return names.isEmpty ? [] : ["writable and executable sections \(names.joined(separator: ", "))"]
    }
    let count = extended.writableExecutableSegments.count
    return count == 0 ? [] : ["\(count) writable and executable LOAD segment\(count == 1 ? "" : "s")"]
  }

  /// Why a missing or partial CET marking is not a verdict.
  private static func cetNote(_ cet: CETMarking) -> [String] {
    guard !(cet.ibt && cet.shstk) else { return [] }
    return [
      "CET marking \(cet.summary): informational, not a verdict. Debian 12's start files carry no marking, so no binary "
        + "linked there keeps IBT/SHSTK; what a running process enforces is its x86_Thread_features line"
    ]
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

/// Why a file of the list could not be read as ELF.
private enum OpenError: Error, CustomStringConvertible {
  /// Not found, not ELF, or a broken ELF file.
  case elf(ELFError)
  /// Compressed data that does not decompress.
  case decompression(path: String, reason: String)

  var description: String {
    switch self {
    case .elf(let error): "\(error)"
    case .decompression(let path, let reason): "\(path): \(reason)"
    }
  }
}
