import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The KVM and vhost_net modules of Debian 12's current kernel package, fetched once with
/// `apt-get download` and kept in a cache, so tests read the real files without this machine
/// having them installed.
///
/// The package is the one `linux-image-amd64` depends on (`linux-image-6.1.0-N-amd64`, signed
/// modules). `dpkg-deb --fsys-tarfile | tar -x` unpacks only the four modules and
/// `modules.builtin`, then a `modules.dep` for them is written (the package has none; `depmod`
/// makes it at install time). The cache directory is `KVMPOLICY_KERNEL_CACHE` or
/// `/tmp/kvmpolicy-debian-kernel-cache`, one subdirectory per package, completed by an atomic
/// rename; the `.deb` (about 70 MB) is deleted after unpacking. Without apt (not Debian) or
/// without a network, the cache is used if it has any package, and tests skip otherwise.
public enum DebianKernelModules {
  /// The modules within `lib/modules/RELEASE/`, as the package ships them.
  public static let modulePaths = [
    "kernel/arch/x86/kvm/kvm.ko", "kernel/arch/x86/kvm/kvm-intel.ko", "kernel/arch/x86/kvm/kvm-amd.ko",
    "kernel/drivers/vhost/vhost_net.ko",
  ]

  /// One unpacked package.
  public struct Unpacked: Sendable {
    /// The package name, e.g. `linux-image-6.1.0-57-amd64`.
    public let package: String
    /// The kernel release, e.g. `6.1.0-57-amd64`.
    public let release: String
    /// The directory standing for `/`: the modules are below `lib/modules/RELEASE/`.
    public let root: String
  }

  /// Why the modules could not be had.
  public struct Unavailable: Error, CustomStringConvertible {
    /// What failed.
    public let description: String
  }

  /// The cache directory.
  public static let cacheDirectory =
    ProcessInfo.processInfo.environment["KVMPOLICY_KERNEL_CACHE"] ?? "/tmp/kvmpolicy-debian-kernel-cache"

  /// The unpacked package, fetched on first use, or why it is unavailable.
  public static let unpacked: Result<Unpacked, Unavailable> = fetch()

  /// Whether the modules are at hand; prints why not to standard error (once), so a skip says
  /// more than its comment.
  public static let isAvailable: Bool = {
    if case .failure(let reason) = unpacked {
      FileHandle.standardError.write(Data("DebianKernelModules: \(reason)\n".utf8))
      return false
    }
    return true
  }()

  private static func fetch() -> Result<Unpacked, Unavailable> {
    let fileManager = FileManager.default
    let candidate = currentPackage()
    if let package = candidate.package, let cached = cached(package) { return .success(cached) }
    guard let package = candidate.package else {
      // No apt answer: any package unpacked before will do.
      let names = ((try? fileManager.contentsOfDirectory(atPath: cacheDirectory)) ?? []).filter { $0.hasPrefix("linux-image-") }.sorted()
      if let name = names.last, let cached = cached(name) { return .success(cached) }
      return .failure(Unavailable(description: "no package to fetch (\(candidate.reason)) and nothing cached in \(cacheDirectory)"))
    }
    let staging = cacheDirectory + "/.staging-\(package)-\(getpid())"
    do {
      try? fileManager.removeItem(atPath: staging)
      try fileManager.createDirectory(atPath: staging + "/root", withIntermediateDirectories: true)
      defer { try? fileManager.removeItem(atPath: staging) }
      let download = try Command.run("/bin/sh", ["-c", "cd '\(staging)' && /usr/bin/apt-get download '\(package)'"])
      guard download.status == 0 else { return .failure(Unavailable(description: "apt-get download \(package): \(download.output)")) }
      guard let deb = try fileManager.contentsOfDirectory(atPath: staging).first(where: { $0.hasSuffix(".deb") }) else {
        return .failure(Unavailable(description: "apt-get download \(package) left no .deb"))
      }
      let members = modulePaths.map { "'./lib/modules/*/\($0)*'" } + ["'./lib/modules/*/modules.builtin'"]
      let unpack = try Command.run(
        "/bin/sh",
        ["-c", "/usr/bin/dpkg-deb --fsys-tarfile '\(staging)/\(deb)' | tar -x -C '\(staging)/root' --wildcards \(members.joined(separator: " "))"])
      guard unpack.status == 0 else { return .failure(Unavailable(description: "dpkg-deb | tar: \(unpack.output)")) }
      try fileManager.removeItem(atPath: staging + "/" + deb)
      guard let release = try fileManager.contentsOfDirectory(atPath: staging + "/root/lib/modules").first else {
        return .failure(Unavailable(description: "\(deb) has no lib/modules"))
      }
      // What depmod would write for these four: kvm-intel and kvm-amd need kvm; vhost_net needs
      // vhost and tap, which are not unpacked and do not matter to the audit.
      let dep = modulePaths.map { path in
        let needs = path.contains("kvm-") ? " kernel/arch/x86/kvm/kvm.ko" : ""
        return "\(path):\(needs)\n"
      }.joined()
      try dep.write(toFile: staging + "/root/lib/modules/\(release)/modules.dep", atomically: true, encoding: .utf8)
      try fileManager.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
      let destination = cacheDirectory + "/" + package
      try? fileManager.removeItem(atPath: destination)
      try fileManager.moveItem(atPath: staging + "/root", toPath: destination)
    } catch {
      return .failure(Unavailable(description: "\(error)"))
    }
    return cached(package).map { .success($0) } ?? .failure(Unavailable(description: "\(package) unpacked without its modules"))
  }

  /// The package `linux-image-amd64` depends on, per `apt-cache depends`.
  private static func currentPackage() -> (package: String?, reason: String) {
    guard access("/usr/bin/apt-cache", X_OK) == 0 else { return (nil, "no /usr/bin/apt-cache") }
    guard let result = try? Command.run("/usr/bin/apt-cache", ["depends", "linux-image-amd64"]), result.status == 0 else {
      return (nil, "apt-cache depends linux-image-amd64 failed")
    }
    for line in result.output.split(separator: "\n") {
      let words = line.split(separator: " ")
      if words.count == 2, words[0] == "Depends:", words[1].hasPrefix("linux-image-") { return (String(words[1]), "") }
    }
    return (nil, "apt-cache depends linux-image-amd64 names no linux-image package")
  }

  /// The unpacked `package` in the cache, if complete.
  private static func cached(_ package: String) -> Unpacked? {
    let root = cacheDirectory + "/" + package
    guard let release = try? FileManager.default.contentsOfDirectory(atPath: root + "/lib/modules").first,
      modulePaths.allSatisfy({ access(root + "/lib/modules/\(release)/\($0)", R_OK) == 0 }),
      access(root + "/lib/modules/\(release)/modules.dep", R_OK) == 0
    else { return nil }
    return Unpacked(package: package, release: release, root: root)
  }
}

extension Trait where Self == ConditionTrait {
  /// The test reads the real KVM and vhost_net modules of Debian 12's kernel package, which
  /// `DebianKernelModules` downloads once (apt-get download) and caches.
  public static var requiresDebianKernelModules: Self {
    .enabled("needs Debian 12's kernel package: apt-get download failed and nothing is cached (see standard error)") {
      DebianKernelModules.isAvailable
    }
  }
}
