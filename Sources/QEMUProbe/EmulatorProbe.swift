import ELF
import Foundation

/// Asks a QEMU binary which device models it offers, and which come from which module.
///
/// QEMU always searches its configured module directory (`QEMU_MODULE_DIR` only adds one), so
/// hiding modules from the installed binary is not possible. Instead the binary is copied into
/// a scratch tree that mirrors its absolute path; QEMU finds its modules relative to where it
/// runs from (`get_relocated_path`), so the copy loads only the modules linked into the
/// mirrored module directory. The method checks itself: with every module linked, the copy
/// must list exactly what the original lists, or the probe fails rather than guess. Then:
/// no module linked gives the built-in models; each module left out in turn gives the models
/// that need it (directly or through a module it depends on). Module dependencies come from
/// the modules' ELF dynamic symbols: a module needs another if it imports a symbol that one
/// defines and the binary does not.
public enum EmulatorProbe {
  /// Debian's module directory for x86_64 QEMU.
  public static let defaultModuleDirectory = "/usr/lib/x86_64-linux-gnu/qemu"

  /// Probes `emulator`; `moduleDirectory` is where its modules are installed.
  public static func probe(emulator: String, moduleDirectory: String = defaultModuleDirectory) throws(QEMUProbeError) -> EmulatorSurface {
    let (versionLine, version) = try identify(emulator)
    let models = try deviceModels(emulator)
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: moduleDirectory)) ?? []).filter { $0.hasSuffix(".so") }.sorted()
    let names = files.map { String($0.dropLast(3)) }
    guard !names.isEmpty else {
      return EmulatorSurface(
        emulator: emulator, versionLine: versionLine, version: version, moduleDirectory: moduleDirectory, models: models,
        builtin: Set(models), modules: [], needs: [:])
    }
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-qemu-probe-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let copy = scratch + resolved(emulator)
    let modules = scratch + moduleDirectory
    do {
      try FileManager.default.createDirectory(atPath: (copy as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try FileManager.default.createDirectory(atPath: modules, withIntermediateDirectories: true)
      try FileManager.default.copyItem(atPath: resolved(emulator), toPath: copy)
    } catch {
      throw .modules(path: emulator, reason: "cannot copy it into \(scratch): \(error.localizedDescription)")
    }
    func link(_ chosen: [String]) throws(QEMUProbeError) {
      for name in (try? FileManager.default.contentsOfDirectory(atPath: modules)) ?? [] {
        try? FileManager.default.removeItem(atPath: modules + "/" + name)
      }
      for name in chosen {
        do { try FileManager.default.createSymbolicLink(atPath: modules + "/\(name).so", withDestinationPath: moduleDirectory + "/\(name).so") } catch {
          throw .modules(path: emulator, reason: "cannot link \(name).so: \(error.localizedDescription)")
        }
      }
    }
    try link(names)
    let relocated = try deviceModels(copy)
    guard relocated == models else {
      throw .modules(
        path: emulator,
        reason: "a copy at \(copy) with every module of \(moduleDirectory) lists \(relocated.count) models, the original \(models.count): it does not load its modules relative to itself")
    }
    try link([])
    let builtin = Set(try deviceModels(copy))
    guard builtin.isSubset(of: Set(models)) else {
      throw .modules(path: emulator, reason: "with no module the copy lists models the original does not")
    }
    if builtin.count == models.count {
      // Nothing changes without the modules: a binary built without module support (a
      // minimal build), unless QEMU's upgrade directory could be feeding it.
      guard !FileManager.default.fileExists(atPath: "/run/qemu") else {
        throw .modules(path: emulator, reason: "with no module the copy still lists every model, and /run/qemu (module upgrades) exists")
      }
      return EmulatorSurface(
        emulator: emulator, versionLine: versionLine, version: version, moduleDirectory: moduleDirectory, models: models,
        builtin: builtin, modules: [], needs: [:])
    }
    var needs: [String: [String]] = [:]
    for name in names {
      try link(names.filter { $0 != name })
      let without = Set(try deviceModels(copy))
      for model in Set(models).subtracting(without) { needs[model, default: []].append(name) }
    }
    let dependencies = moduleDependencies(binary: resolved(emulator), directory: moduleDirectory, names: names)
    return EmulatorSurface(
      emulator: emulator, versionLine: versionLine, version: version, moduleDirectory: moduleDirectory, models: models,
      builtin: builtin, modules: names.map { EmulatorSurface.Module(name: $0, path: moduleDirectory + "/\($0).so", dependencies: dependencies[$0] ?? []) },
      needs: needs.mapValues { $0.sorted() })
  }

  /// The version line and number, or `notQEMU`.
  public static func identify(_ emulator: String) throws(QEMUProbeError) -> (line: String, version: String) {
    guard FileManager.default.isExecutableFile(atPath: emulator) else { throw .notQEMU(path: emulator, reason: "not an executable file") }
    let run: ProcessRun
    do { run = try ProcessRun.run(emulator, ["-version"], timeLimit: 30) } catch {
      throw .notQEMU(path: emulator, reason: "cannot run it: \(error.localizedDescription)")
    }
    guard let status = run.status else { throw .noAnswer(path: emulator, arguments: "-version", reason: "still running after 30 s") }
    let line = run.output.split(separator: "\n").first.map(String.init) ?? ""
    let prefix = "QEMU emulator version "
    guard status == 0, line.hasPrefix(prefix) else {
      let said = (line.isEmpty ? run.errors : line).trimmingCharacters(in: .whitespacesAndNewlines)
      throw .notQEMU(path: emulator, reason: "-version exits \(status) and says '\(said.prefix(120))', not '\(prefix)...'")
    }
    let version = String(line.dropFirst(prefix.count).prefix { $0 != " " })
    return (line, version)
  }

  /// The models `emulator -device help` lists, sorted; an error when it fails or lists none.
  public static func deviceModels(_ emulator: String) throws(QEMUProbeError) -> [String] {
    let run: ProcessRun
    do { run = try ProcessRun.run(emulator, ["-device", "help"], timeLimit: 60) } catch {
      throw .notQEMU(path: emulator, reason: "cannot run it: \(error.localizedDescription)")
    }
    guard let status = run.status else { throw .noAnswer(path: emulator, arguments: "-device help", reason: "still running after 60 s") }
    guard status == 0 else { throw .failed(path: emulator, arguments: "-device help", reason: "exit \(status): \(run.errors.prefix(300))") }
    let models = deviceModels(help: run.output)
    guard !models.isEmpty else { throw .noAnswer(path: emulator, arguments: "-device help", reason: "it lists no device model") }
    return models
  }

  /// The device models in `-device help` output (`name "virtio-net-pci", bus PCI, ...`), sorted.
  public static func deviceModels(help: String) -> [String] {
    Set(
      help.split(separator: "\n").compactMap { line -> String? in
        guard let start = line.range(of: "name \""), let end = line[start.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(line[start.upperBound..<end])
      }
    ).sorted()
  }

  /// The path with symbolic links resolved (QEMU relocates from its real location).
  private static func resolved(_ path: String) -> String {
    URL(fileURLWithPath: path).resolvingSymlinksInPath().path
  }

  /// For each module, the modules it imports symbols from.
  private static func moduleDependencies(binary: String, directory: String, names: [String]) -> [String: [String]] {
    let exported = Set(((try? ELFFile(path: binary))?.dynamicSymbols ?? []).filter(\.isDefined).map(\.name))
    var defines: [String: Set<String>] = [:]
    var imports: [String: Set<String>] = [:]
    for name in names {
      guard let file = try? ELFFile(path: directory + "/\(name).so") else { continue }
      defines[name] = Set(file.dynamicSymbols.filter(\.isDefined).map(\.name))
      imports[name] = Set(file.dynamicSymbols.filter { !$0.isDefined && !$0.name.isEmpty }.map(\.name)).subtracting(exported)
    }
    var result: [String: [String]] = [:]
    for name in names {
      let needed = imports[name] ?? []
      result[name] = names.filter { $0 != name && !(defines[$0] ?? []).isDisjoint(with: needed) }
    }
    return result
  }
}
