import Foundation
import SystemIO
import Glibc

/// Finds kernel modules the way `modinfo` does: through `modules.dep` and `modules.builtin` under
/// `/lib/modules/<release>`, falling back to `/sys/module` to recognise built-in modules.
///
/// Module names compare with hyphens and underscores as equal (`kvm-intel` is `kvm_intel`).
public struct ModuleLocator: Sendable {
  /// The kernel release whose modules are searched (`uname -r`).
  public let release: String
  /// The root of the per-release module trees, normally `/lib/modules`.
  public let modulesRoot: String
  /// The sysfs module directory, normally `/sys/module`.
  public let sysModuleRoot: String

  /// A locator for `release` (the running kernel's when nil) under the given roots.
  public init(
    release: String? = nil,
    modulesRoot: String = "/lib/modules",
    sysModuleRoot: String = "/sys/module"
  ) {
    self.release = release ?? ModuleLocator.runningRelease() ?? ""
    self.modulesRoot = modulesRoot
    self.sysModuleRoot = sysModuleRoot
  }

  /// The directory holding this release's modules, `<modulesRoot>/<release>`.
  public var releaseDirectory: String {
    "\(modulesRoot)/\(release)"
  }

  /// Locates the module called `name` (such as `kvm`, `kvm_intel`, `kvm-amd`, `vhost_net`).
  public func locate(_ name: String) -> ModuleLocation {
    let key = ModuleLocator.canonicalName(name)
    let directory = releaseDirectory
    let hasDirectory = ModuleLocator.isDirectory(directory)
    var missingFile: String?
    if hasDirectory {
      let dep = ModuleLocator.readText("\(directory)/modules.dep").map(
        ModuleLocator.parseModulesDep)
      if let relative = dep?[key] {
        let path =
          relative.hasPrefix("/") ? relative : "\(directory)/\(relative)"
        if FileManager.default.fileExists(atPath: path) {
          return .file(
            path: path, compression: CompressionFormat(fileName: path))
        }
        missingFile = path
      }
      let builtin = ModuleLocator.readText("\(directory)/modules.builtin").map(
        ModuleLocator.parseModulesBuiltin)
      if builtin?.contains(key) == true {
        return .builtIn(.modulesBuiltin)
      }
    }
    let sysfs = "\(sysModuleRoot)/\(key)"
    if ModuleLocator.isDirectory(sysfs) {
      // Loadable modules have an `initstate` attribute; built-in ones never do.
      if !FileManager.default.fileExists(atPath: "\(sysfs)/initstate") {
        return .builtIn(.sysfs)
      }
      if missingFile == nil { return .notFound(.loadedWithoutFile) }
    }
    if let missingFile { return .notFound(.fileMissing(path: missingFile)) }
    return .notFound(
      hasDirectory ? .notListed : .noModulesDirectory(path: directory))
  }

  /// The running kernel's release, from `uname()`; nil if the call fails.
  public static func runningRelease() -> String? {
    var names = utsname()
    guard uname(&names) == 0 else { return nil }
    return withUnsafeBytes(of: &names.release) { raw in
      String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
  }

  /// The vendor KVM module for this CPU, `kvm_intel` or `kvm_amd`, from `vendor_id` in
  /// `cpuinfoPath`; nil when the file is unreadable or the vendor is neither.
  public static func cpuVendorModule(cpuinfoPath: String = "/proc/cpuinfo")
    -> String?
  {
    readText(cpuinfoPath).flatMap { cpuVendorModule(cpuinfo: $0) }
  }

  /// The vendor KVM module named by the first `vendor_id` line of `/proc/cpuinfo` text.
  ///
  /// `GenuineIntel` gives `kvm_intel`; `AuthenticAMD` and `HygonGenuine` (AMD-derived) give `kvm_amd`.
  public static func cpuVendorModule(cpuinfo: String) -> String? {
    for line in cpuinfo.split(separator: "\n") {
      let parts = line.split(separator: ":", maxSplits: 1)
      guard parts.count == 2,
        parts[0].trimmingCharacters(in: .whitespaces) == "vendor_id"
      else {
        continue
      }
      switch parts[1].trimmingCharacters(in: .whitespaces) {
      case "GenuineIntel": return "kvm_intel"
      case "AuthenticAMD", "HygonGenuine": return "kvm_amd"
      default: return nil
      }
    }
    return nil
  }

  /// A module name in canonical form: hyphens become underscores (`kvm-intel` → `kvm_intel`).
  public static func canonicalName(_ name: String) -> String {
    name.replacingOccurrences(of: "-", with: "_")
  }
}

extension ModuleLocator {
  /// Maps canonical module names to their paths in `modules.dep` text.
  ///
  /// Lines read `path: deps...`; the first line for a name wins, as in modprobe.
  static func parseModulesDep(_ text: String) -> [String: String] {
    var paths: [String: String] = [:]
    for line in text.split(whereSeparator: \.isNewline) {
      guard let colon = line.firstIndex(of: ":") else { continue }
      let path = line[..<colon].trimmingCharacters(in: .whitespaces)
      guard let name = moduleName(ofPath: path), paths[name] == nil else {
        continue
      }
      paths[name] = path
    }
    return paths
  }

  /// The canonical names of the modules listed in `modules.builtin` text (one path a line).
  static func parseModulesBuiltin(_ text: String) -> Set<String> {
    Set(
      text.split(whereSeparator: \.isNewline).compactMap {
        moduleName(ofPath: $0.trimmingCharacters(in: .whitespaces))
      })
  }

  /// The canonical module name of a path such as `kernel/arch/x86/kvm/kvm-intel.ko.xz`.
  static func moduleName(ofPath path: String) -> String? {
    var file = Substring(path.split(separator: "/").last ?? "")
    if let format = CompressionFormat(fileName: String(file)) {
      file = file.dropLast(format.fileSuffix.count)
    }
    guard file.hasSuffix(".ko"), file.count > 3 else { return nil }
    return canonicalName(String(file.dropLast(3)))
  }
}

extension ModuleLocator {
  fileprivate static func isDirectory(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(
      atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
  }

  fileprivate static func readText(_ path: String) -> String? {
    try? FileContents.text(path, limit: 64 << 20).get()
  }
}
