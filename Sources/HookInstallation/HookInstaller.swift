import ELF
import Foundation
import Hook
import Policy
import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// Installs and removes kvmpolicy's pre-start hook for libvirt's QEMU driver.
///
/// Install order keeps a host safe at every step: the policy and its compiled form first, then
/// the binary, the wrapper last (each by a rename), so libvirt never runs a wrapper whose binary
/// or policy is not there yet.
public enum HookInstaller {
  /// What ``install(policy:binary:onPolicyError:layout:)`` put where.
  public struct Installed: Equatable, Sendable {
    /// The installed policy and its compiled form.
    public let policy: String
    /// The compiled form beside it.
    public let compiledPolicy: String
    /// The wrapper in libvirt's hook directory.
    public let wrapper: String
    /// The binary the wrapper execs (below the layout's root).
    public let binary: String
    /// Whether the binary was copied (else the packaged one is used in place).
    public let copied: Bool
    /// libvirt's single-file hook, when one exists (libvirt runs it as well).
    public let legacyHook: String?
    /// Where the policy installed before (when it differed) was kept.
    public let previousPolicy: String?
  }

  /// Why nothing (or not everything) was installed or removed.
  public struct Failure: Error, CustomStringConvertible {
    /// The file concerned, then what is wrong.
    public let description: String
  }

  /// Installs `policy` and the hook binary `binary` below `layout`.
  ///
  /// Refuses a binary that would not load on a host without the Swift toolchain: one that
  /// needs a shared library outside the system library directories (read with kvmpolicy's own
  /// ELF reader). The packaged binary is used where it is; any other is copied next to it in
  /// /usr/local/libexec.
  public static func install(
    policy: String, binary: String, onPolicyError: HookRequest.PolicyErrorMode, layout: HookLayout, replacingForeignHook: Bool = false
  ) throws(Failure) -> Installed {
    try checkSelfContained(binary)
    // A hook kvmpolicy did not write is someone else's: never replaced behind their back.
    if !replacingForeignHook, let text = try? FileContents.text(layout.wrapper, limit: 1 << 20).get(), HookLayout.binary(inWrapper: text) == nil {
      throw Failure(description: "\(layout.wrapper): a hook that kvmpolicy install-hook did not write is there; move it away or pass --force")
    }
    let files = FileManager.default
    let previousPolicy = PolicyLoader.sourceText(ofFile: layout.policy)
    let packaged = layout.path(HookLayout.packagedBinary)
    let inPlace = realPath(binary) == realPath(packaged)
    var keptPrevious: String?
    let binaryTarget = inPlace ? packaged : layout.path(HookLayout.copiedBinary)
    do throws(SystemError) {
      for directory in [layout.policy, layout.wrapper, binaryTarget].map({ ($0 as NSString).deletingLastPathComponent }) {
        try Directories.create(directory, mode: 0o755)
      }
      let newPolicy = try FileContents.read(policy, limit: 4 << 20).get()
      // A different policy already installed is kept beside it, never lost.
      if let previousPolicy, Array(previousPolicy.utf8) != newPolicy {
        try AtomicFile.write(Array(previousPolicy.utf8), to: layout.policy + ".previous", mode: 0o644)
        keptPrevious = layout.policy + ".previous"
      }
      try AtomicFile.write(newPolicy, to: layout.policy, mode: 0o644)
      // The hook reads the compiled form instead of parsing the YAML on every start.
      if case .failure(let failure) = PolicyLoader.compile(path: layout.policy, as: HookRequest.defaultPolicyPath) {
        throw SystemError(path: layout.policy, operation: "compile the installed policy", reason: "\(failure)")
      }
      if !inPlace { try AtomicFile.write(try FileContents.read(binary, limit: 512 << 20).get(), to: binaryTarget, mode: 0o755) }
      let text = HookLayout.wrapperText(binary: unrooted(binaryTarget, layout), onPolicyError: onPolicyError)
      try AtomicFile.write(Array(text.utf8), to: layout.wrapper, mode: 0o755)
    } catch {
      throw Failure(description: "installing the hook failed: \(error)")
    }
    let legacy = layout.path(HookLayout.legacyHook)
    return Installed(
      policy: layout.policy, compiledPolicy: CompiledPolicy.path(for: layout.policy), wrapper: layout.wrapper,
      binary: binaryTarget, copied: !inPlace, legacyHook: files.fileExists(atPath: legacy) ? legacy : nil, previousPolicy: keptPrevious)
  }

  /// Removes the wrapper kvmpolicy installed (and the binary it copied); the policy stays.
  /// Returns the removed wrapper, or `nil` when there was none. A wrapper kvmpolicy did not
  /// write is left alone, with an error.
  @discardableResult
  public static func uninstall(layout: HookLayout) throws(Failure) -> String? {
    guard let text = try? FileContents.text(layout.wrapper, limit: 1 << 20).get() else { return nil }
    guard HookLayout.binary(inWrapper: text) != nil else {
      throw Failure(description: "\(layout.wrapper): not installed by kvmpolicy; left alone")
    }
    guard unlink(layout.wrapper) == 0 else {
      throw Failure(description: "\(layout.wrapper): cannot remove: \(String(cString: strerror(errno)))")
    }
    unlink(layout.path(HookLayout.copiedBinary))
    return layout.wrapper
  }

  /// Throws unless every shared library `binary` needs resolves in a system library directory.
  public static func checkSelfContained(_ binary: String) throws(Failure) {
    guard access(binary, X_OK) == 0 else {
      throw Failure(description: "\(binary): no executable hook binary there; build it (scripts/package, or swift build -c release --static-swift-stdlib) or pass --hook-binary")
    }
    let elf: ELFFile
    do { elf = try ELFFile(path: binary) } catch { throw Failure(description: "\(binary): not a hook binary: \(error)") }
    let linkage = SharedLibraryLinkage(elf)
    guard linkage.isSelfContained else {
      throw Failure(
        description: linkage.problems.joined(separator: "\n")
          + "\nrefusing to install it: libvirt would fail every VM start on a host without that directory"
          + " (build with --static-swift-stdlib, as scripts/package does)")
    }
  }

  private static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  /// `path` as the installed system sees it (without the layout's root).
  static func unrooted(_ path: String, _ layout: HookLayout) -> String {
    layout.root.isEmpty || !path.hasPrefix(layout.root) ? path : String(path.dropFirst(layout.root.count))
  }
}
