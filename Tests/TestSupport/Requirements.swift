import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// What a test needs from the machine it runs on. An unmet need shows as a skip with its reason,
/// never as a silent pass: tests declare it with one of these traits instead of returning early.
extension Trait where Self == ConditionTrait {
  /// The test runs as root (file ownership, StrictModes, /etc and /run).
  public static var requiresRoot: Self {
    .enabled(if: getuid() == 0, "needs root: run scripts/test as root")
  }

  /// The test drives the real libvirtd with the QEMU driver on `qemu:///system`; `scripts/test`
  /// starts it and sets `KVMPOLICY_REAL_LIBVIRTD=1`.
  public static var requiresRealLibvirtd: Self {
    .enabled(
      if: getuid() == 0 && ProcessInfo.processInfo.environment["KVMPOLICY_REAL_LIBVIRTD"] == "1",
      "needs root and the real libvirtd: run scripts/test")
  }

  /// The test runs or reads the executable at `path` (a tool that `scripts/setup` installs).
  public static func requiresExecutable(_ path: String) -> Self {
    .enabled(if: access(path, X_OK) == 0, "needs \(path): run scripts/setup")
  }

  /// The test installs the hook into libvirt: it needs a self-contained (static) hook binary,
  /// which `scripts/test` builds and names in `KVMPOLICY_HOOK_BIN` (install-hook refuses the
  /// debug build, which needs the Swift toolchain's libraries).
  public static var requiresSelfContainedHook: Self {
    .enabled(if: Requirements.selfContainedHook != nil, "needs a static hook binary in KVMPOLICY_HOOK_BIN: run scripts/test")
  }

  /// The test installs the Debian package that `scripts/test` builds (`KVMPOLICY_DEB`).
  public static var requiresPackage: Self {
    .enabled(
      if: getuid() == 0 && Requirements.package != nil,
      "needs root and a built package in KVMPOLICY_DEB: run scripts/test")
  }
}

/// Facts the traits above read.
public enum Requirements {
  /// The static `kvmpolicy-hook` that `scripts/test` built, if any.
  public static var selfContainedHook: String? {
    ProcessInfo.processInfo.environment["KVMPOLICY_HOOK_BIN"].flatMap { access($0, X_OK) == 0 ? $0 : nil }
  }

  /// The `.deb` that `scripts/package` built for this run, if any.
  public static var package: String? {
    ProcessInfo.processInfo.environment["KVMPOLICY_DEB"].flatMap { access($0, R_OK) == 0 ? $0 : nil }
  }
}
